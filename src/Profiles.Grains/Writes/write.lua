-- Applies write records (RedisWriteProgram builds them; this script knows no business rule).
-- ARGV[1]: the number of records. Each record: its number of operations, then the operations, each as its name
-- followed by its operands, as many as `arity` below says. Key operands are indexes into KEYS. Every record is
-- applied alone: one that stops (an epoch refused) changes nothing of the others. Returns one array per record holding what its operations push, in order.
--
-- epoch  k field epoch erasedKey marker   the writer's epoch compare-and-set: an epoch older than the one stored
--                                         in k's field stops the record (pushes -1, nothing of it was written);
--                                         none stored yet claims epoch 1, unless the marker is in erasedKey.
--                                         Pushes the epoch to append with next.
-- nx     k field value then               HSETNX; when the field existed, skips the next `then` operations and
--                                         notes that the record met a duplicate. Pushes 1 or 0.
-- guard  k field expected then allNew     applies the next `then` operations only if k's field holds `expected`
--                                         ('' for absent) and, with allNew = 1, no nx of the record met a
--                                         duplicate. Pushes 1 (applied), 0 (a duplicate), or the field's value.
-- rpush k value | zadd k score member | zaddlt k score member (lowers an existing score only) | zrem k member | hset k field value | hdel k field
-- hdelif k field value (deletes while it holds value) | hdelof k h (deletes the fields h has)
-- hincrby k field delta | sadd k member | del k
-- xadd  k minid field value               appends an entry of one field to a stream trimmed to minid
-- trim  k h field n                       drops list k's entries before absolute position n, where h's field holds
--                                         how many were dropped before (none: 0); only ever forward, and never past
--                                         the list's end (a position from before a rewrite trims nothing, and a
--                                         journey that does not exist gets no key)
-- llen  k h field                         pushes the list's absolute length: its length, plus h's field (trim)
local arity = { epoch = 5, nx = 4, guard = 5, rpush = 2, zadd = 3, zaddlt = 3, zrem = 2, hset = 3, hdel = 2, hdelif = 3,
  hdelof = 2, hincrby = 3, sadd = 2, del = 1, xadd = 4, trim = 4, llen = 3 }
local results = {}
local a = 2
for r = 1, tonumber(ARGV[1]) do
  local count = tonumber(ARGV[a])
  a = a + 1
  local out = {}
  local duplicate = false
  local skip = 0
  local stopped = false
  for _ = 1, count do
    local op = ARGV[a]
    local n = arity[op]
    if not n then return redis.error_reply('unknown write operation ' .. tostring(op)) end
    local x = a + 1
    a = x + n
    if stopped then
      -- the rest of a stopped record is read past, never run
    elseif skip > 0 then
      skip = skip - 1
    elseif op == 'epoch' then
      local k = KEYS[tonumber(ARGV[x])]
      local current = tonumber(redis.call('HGET', k, ARGV[x + 1]) or '0')
      local epoch = tonumber(ARGV[x + 2])
      if epoch < current then
        stopped = true
      elseif current == 0 and redis.call('SISMEMBER', KEYS[tonumber(ARGV[x + 3])], ARGV[x + 4]) == 1 then
        stopped = true
      else
        if current == 0 then
          epoch = 1
          redis.call('HSET', k, ARGV[x + 1], 1)
        end
        out[#out + 1] = epoch
      end
      if stopped then out = { -1 } end
    elseif op == 'nx' then
      local set = redis.call('HSETNX', KEYS[tonumber(ARGV[x])], ARGV[x + 1], ARGV[x + 2])
      out[#out + 1] = set
      if set == 0 then
        duplicate = true
        skip = tonumber(ARGV[x + 3])
      end
    elseif op == 'guard' then
      local held = redis.call('HGET', KEYS[tonumber(ARGV[x])], ARGV[x + 1]) or ''
      if ARGV[x + 4] == '1' and duplicate then
        out[#out + 1] = 0
        skip = tonumber(ARGV[x + 3])
      elseif held ~= ARGV[x + 2] then
        out[#out + 1] = held
        skip = tonumber(ARGV[x + 3])
      else
        out[#out + 1] = 1
      end
    elseif op == 'rpush' then
      redis.call('RPUSH', KEYS[tonumber(ARGV[x])], ARGV[x + 1])
    elseif op == 'zadd' then
      redis.call('ZADD', KEYS[tonumber(ARGV[x])], ARGV[x + 1], ARGV[x + 2])
    elseif op == 'zaddlt' then
      redis.call('ZADD', KEYS[tonumber(ARGV[x])], 'LT', ARGV[x + 1], ARGV[x + 2])
    elseif op == 'zrem' then
      redis.call('ZREM', KEYS[tonumber(ARGV[x])], ARGV[x + 1])
    elseif op == 'hset' then
      redis.call('HSET', KEYS[tonumber(ARGV[x])], ARGV[x + 1], ARGV[x + 2])
    elseif op == 'hdel' then
      redis.call('HDEL', KEYS[tonumber(ARGV[x])], ARGV[x + 1])
    elseif op == 'hdelif' then
      local k = KEYS[tonumber(ARGV[x])]
      if redis.call('HGET', k, ARGV[x + 1]) == ARGV[x + 2] then redis.call('HDEL', k, ARGV[x + 1]) end
    elseif op == 'hdelof' then
      local fields = redis.call('HKEYS', KEYS[tonumber(ARGV[x + 1])])
      for i = 1, #fields, 1000 do
        redis.call('HDEL', KEYS[tonumber(ARGV[x])], unpack(fields, i, math.min(i + 999, #fields)))
      end
    elseif op == 'hincrby' then
      redis.call('HINCRBY', KEYS[tonumber(ARGV[x])], ARGV[x + 1], ARGV[x + 2])
    elseif op == 'sadd' then
      redis.call('SADD', KEYS[tonumber(ARGV[x])], ARGV[x + 1])
    elseif op == 'del' then
      redis.call('DEL', KEYS[tonumber(ARGV[x])])
    elseif op == 'xadd' then
      redis.call('XADD', KEYS[tonumber(ARGV[x])], 'MINID', '~', ARGV[x + 1], '*', ARGV[x + 2], ARGV[x + 3])
    elseif op == 'trim' then
      local k, h, field = KEYS[tonumber(ARGV[x])], KEYS[tonumber(ARGV[x + 1])], ARGV[x + 2]
      local trimmed = tonumber(redis.call('HGET', h, field) or '0')
      local drop = tonumber(ARGV[x + 3]) - trimmed
      if drop > 0 and drop <= redis.call('LLEN', k) then
        redis.call('LTRIM', k, drop, -1)
        redis.call('HSET', h, field, trimmed + drop)
      end
    elseif op == 'llen' then
      out[#out + 1] = redis.call('LLEN', KEYS[tonumber(ARGV[x])]) + tonumber(redis.call('HGET', KEYS[tonumber(ARGV[x + 1])], ARGV[x + 2]) or '0')
    end
  end
  results[r] = out
end
return results
