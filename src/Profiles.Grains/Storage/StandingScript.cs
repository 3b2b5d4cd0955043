namespace Profiles.Grains.Storage;

/// <summary>
/// The Lua that applies a standing report (see <see cref="Standing.ProfileStanding"/>) inside the script of the
/// write that changed the profile: it compares the new standing with the one stored for the profile and adds the
/// difference to the shard's counters and audience index, appending audience entries and exits to the feed. A
/// report equal to the stored one changes nothing, so a repeated report is harmless.
/// <see cref="Standing.InMemoryStandingStore"/> does the same in memory for the embedded mode.
/// </summary>
public static class StandingScript
{
    /// <summary>
    /// Defines <c>stand(k, pid, text, recheck, at, minid)</c>: <c>k</c> the first of the five keys of
    /// <see cref="RedisLayout.StandingKeys"/> in KEYS; <c>text</c> the encoded standing, '' when the profile no
    /// longer stands; <c>recheck</c> the day number to look at its audiences again, '' for none. Also defines
    /// <c>change(key, minid, ...)</c>, which appends one feed entry trimmed to the retention.
    /// </summary>
    public const string Functions = """
        local function change(key, minid, ...)
          redis.call('XADD', key, 'MINID', '~', minid, '*', ...)
        end
        local function parse(text)
          local st = { identified = 0, online = 0, offline = 0, ch = {}, aud = {}, total = 0 }
          if not text then return st end
          local flags, channels, audiences = string.match(text, '^(%d%d%d)|([^|]*)|(.*)$')
          st.identified = tonumber(string.sub(flags, 1, 1))
          st.online = tonumber(string.sub(flags, 2, 2))
          st.offline = tonumber(string.sub(flags, 3, 3))
          for name, n in string.gmatch(channels, '([^,=]+)=(%d+)') do
            st.ch[name] = tonumber(n)
            st.total = st.total + tonumber(n)
          end
          for name in string.gmatch(audiences, '[^,]+') do st.aud[name] = true end
          return st
        end
        local function stand(k, pid, text, recheck, at, minid)
          local standings, stats, audiences, rechecks, changes = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
          if recheck == '' then redis.call('ZREM', rechecks, pid) else redis.call('ZADD', rechecks, tonumber(recheck), pid) end
          local stored = redis.call('HGET', standings, pid)
          if stored == false then stored = nil end
          if text == '' then text = nil end
          if stored == text then return end
          local old, new = parse(stored), parse(text)
          local function add(field, delta)
            if delta ~= 0 then redis.call('HINCRBY', stats, field, delta) end
          end
          add('profiles', (text and 1 or 0) - (stored and 1 or 0))
          add('identified', new.identified - old.identified)
          add('online', new.online - old.online)
          add('offline', new.offline - old.offline)
          add('omnichannel', new.online * new.offline - old.online * old.offline)
          add('touchpoints', new.total - old.total)
          for name, n in pairs(new.ch) do
            add('c:' .. name .. ':t', n - (old.ch[name] or 0))
            if not old.ch[name] then add('c:' .. name .. ':p', 1) end
          end
          for name, n in pairs(old.ch) do
            if not new.ch[name] then
              add('c:' .. name .. ':t', -n)
              add('c:' .. name .. ':p', -1)
            end
          end
          for name in pairs(new.aud) do
            if not old.aud[name] then
              redis.call('ZADD', audiences, 0, name .. ':' .. pid)
              change(changes, minid, 'type', 'audience.entered', 'profileId', pid, 'at', at, 'audience', name)
            end
          end
          for name in pairs(old.aud) do
            if not new.aud[name] then
              redis.call('ZREM', audiences, name .. ':' .. pid)
              change(changes, minid, 'type', 'audience.exited', 'profileId', pid, 'at', at, 'audience', name)
            end
          end
          if text then redis.call('HSET', standings, pid, text) else redis.call('HDEL', standings, pid) end
        end

        """ + "\n";
}
