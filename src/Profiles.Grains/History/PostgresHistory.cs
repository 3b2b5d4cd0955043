using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;
using Profiles.Grains.Journey;
using Profiles.Grains.Storage;

namespace Profiles.Grains.History;

/// <summary>
/// The history tier's one table, <c>profiles_journey_history</c>: a row per journey item moved out of Redis, keyed by
/// its profile (<see cref="HistoryKey"/>), <c>occurredAt</c> (UTC ticks) and id, so copying an item twice writes one row,
/// and a profile's rows read in journey order from the key's index. The body is the item as Redis held it, less what the key holds
/// (<see cref="HistoryBody"/>). The table is partitioned by month of <c>occurredAt</c>, each month created when
/// an item of it first moves, so dropping a month forgets it at once. Every failure to reach PostgreSQL surfaces as
/// <see cref="HistoryUnavailableException"/>.
/// </summary>
public sealed class PostgresHistory(NpgsqlDataSource database)
{
    public const string Table = "profiles_journey_history";

    // One lock for every node's schema changes: CREATE TABLE IF NOT EXISTS run at the same moment by two sessions can
    // still fail on PostgreSQL's catalog, so nodes starting together take turns.
    private const long SchemaLock = 0x70726f66696c6573; // "profiles"

    private readonly ConcurrentDictionary<int, bool> _months = new();
    private volatile bool _created;

    /// <summary>Creates the table if it is missing; harmless on every start and when several nodes start together.</summary>
    public Task EnsureCreatedAsync() => Reaching(() => Task.CompletedTask);

    /// <summary>Writes the rows of one profile; a row already there (an earlier copy cut short) takes the body given.</summary>
    public Task CopyAsync(byte[] profile, IReadOnlyList<HistoryRow> rows) => Reaching(async () =>
    {
        try
        {
            await InsertAsync(profile, rows);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
        {
            // No partition for a row: another node dropped its month once retention had emptied it, and an item of that
            // month moved since (one sent late). The months this node knows are made again.
            _months.Clear();
            await InsertAsync(profile, rows);
        }
    });

    private async Task InsertAsync(byte[] profile, IReadOnlyList<HistoryRow> rows)
    {
        foreach (var month in rows.Select(r => MonthOf(r.Occurred)).Distinct()) await EnsureMonthAsync(month);
        await using var command = database.CreateCommand($"""
            INSERT INTO {Table} (profile, occurred, id, body)
            SELECT $1, o, i, b FROM unnest($2::bigint[], $3::text[], $4::bytea[]) AS r(o, i, b)
            ON CONFLICT (profile, occurred, id) DO UPDATE SET body = EXCLUDED.body
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = profile });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Occurred).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Body).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The profile's first <paramref name="limit"/> rows, oldest first (ties by id): what retention looks at.</summary>
    public Task<List<HistoryRow>> ReadOldestAsync(byte[] profile, int limit) => Reaching(async () =>
    {
        await using var command = database.CreateCommand($"SELECT occurred, id, body FROM {Table} WHERE profile = $1 ORDER BY occurred, id LIMIT $2");
        command.Parameters.Add(new NpgsqlParameter { Value = profile });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        return await ReadRowsAsync(command);
    });

    /// <summary>Drops the monthly partitions that end at or before <paramref name="horizon"/> and hold no row: retention
    /// has forgotten every item of them, and a dropped partition gives its disk back at once, where deleted rows wait for
    /// a vacuum. A month still holding a row (a journey retention has not reached yet) is left for a later round.</summary>
    /// <returns>The partitions dropped.</returns>
    public Task<IReadOnlyList<string>> DropEmptyMonthsBeforeAsync(DateTimeOffset horizon) => Reaching(async () =>
    {
        var dropped = new List<string>();
        foreach (var (partition, month) in await PartitionsAsync())
        {
            if (new DateTime(month / 12, month % 12 + 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1) > horizon.UtcDateTime) continue;
            // Locked first, so that a copy of a late item into the month waits, then finds no partition and makes it again.
            if (!await InSchemaLockAsync($"LOCK TABLE {partition} IN ACCESS EXCLUSIVE MODE", $"SELECT NOT EXISTS (SELECT 1 FROM {partition})",
                    $"DROP TABLE {partition}")) continue;
            _months.TryRemove(month, out _);
            dropped.Add(partition);
        }
        return (IReadOnlyList<string>)dropped;
    });

    /// <summary>The table's partitions, with the month each holds.</summary>
    private async Task<List<(string Partition, int Month)>> PartitionsAsync()
    {
        await using var command = database.CreateCommand($"""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = '{Table}'
            """);
        var partitions = new List<(string, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var name = reader.GetString(0);
            // profiles_journey_history_yYYYYmMM
            var year = int.Parse(name.AsSpan(name.Length - 7, 4), System.Globalization.CultureInfo.InvariantCulture);
            var monthOfYear = int.Parse(name.AsSpan(name.Length - 2, 2), System.Globalization.CultureInfo.InvariantCulture);
            partitions.Add((name, year * 12 + monthOfYear - 1));
        }
        return partitions;
    }

    /// <summary>The first <paramref name="limit"/> rows of the profiles' journeys together, strictly after
    /// <paramref name="after"/> in journey order (newest first, ties by id, descending).</summary>
    public Task<List<HistoryRow>> ReadPageAsync(IReadOnlyList<byte[]> profiles, JourneyPosition? after, int limit) => Reaching(async () =>
    {
        var cursor = after is null ? "" : "AND (occurred, id) < ($3, $4)";
        await using var command = database.CreateCommand($"""
            SELECT occurred, id, body FROM {Table}
            WHERE profile = ANY($1) {cursor}
            ORDER BY occurred DESC, id DESC LIMIT $2
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = profiles.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        if (after is { } position)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = position.UtcTicks });
            command.Parameters.Add(new NpgsqlParameter { Value = position.TouchpointId });
        }
        return await ReadRowsAsync(command);
    });

    /// <summary>The profile's rows with these ids.</summary>
    public Task<List<HistoryRow>> ReadAsync(byte[] profile, IReadOnlyList<string> ids) => Reaching(async () =>
    {
        await using var command = database.CreateCommand($"SELECT occurred, id, body FROM {Table} WHERE profile = $1 AND id = ANY($2)");
        command.Parameters.Add(new NpgsqlParameter { Value = profile });
        command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        return await ReadRowsAsync(command);
    });

    /// <summary>Every row of the profile, in no particular order.</summary>
    public Task<List<HistoryRow>> ReadAllAsync(byte[] profile) => Reaching(async () =>
    {
        await using var command = database.CreateCommand($"SELECT occurred, id, body FROM {Table} WHERE profile = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = profile });
        return await ReadRowsAsync(command);
    });

    /// <summary>Which of the ids any of the profiles holds.</summary>
    public Task<HashSet<string>> StoredAsync(IReadOnlyList<byte[]> profiles, IReadOnlyList<string> ids) => Reaching(async () =>
    {
        await using var command = database.CreateCommand($"SELECT DISTINCT id FROM {Table} WHERE profile = ANY($1) AND id = ANY($2)");
        command.Parameters.Add(new NpgsqlParameter { Value = profiles.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) stored.Add(reader.GetString(0));
        return stored;
    });

    /// <summary>Deletes every row of the profile.</summary>
    public Task DeleteAsync(byte[] profile) => Execute($"DELETE FROM {Table} WHERE profile = $1", profile);

    /// <summary>Deletes the profile's rows with these ids.</summary>
    public Task DeleteAsync(byte[] profile, IReadOnlyList<string> ids) => Execute($"DELETE FROM {Table} WHERE profile = $1 AND id = ANY($2)", profile, ids.ToArray());

    /// <summary>Deletes the profile's rows whose id is not one of these.</summary>
    public Task KeepOnlyAsync(byte[] profile, IReadOnlyList<string> ids) => Execute($"DELETE FROM {Table} WHERE profile = $1 AND NOT (id = ANY($2))", profile, ids.ToArray());

    /// <summary>Throws <see cref="HistoryUnavailableException"/> when PostgreSQL does not answer.</summary>
    public Task PingAsync() => Execute("SELECT 1");

    private Task Execute(string sql, params object[] parameters) => Reaching(async () =>
    {
        await using var command = database.CreateCommand(sql);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await command.ExecuteNonQueryAsync();
    });

    private static async Task<List<HistoryRow>> ReadRowsAsync(NpgsqlCommand command)
    {
        var rows = new List<HistoryRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(new HistoryRow(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2)));
        return rows;
    }

    /// <summary>A month's partition, created the first time this node moves an item of it.</summary>
    private async Task EnsureMonthAsync(int month)
    {
        if (_months.ContainsKey(month)) return;
        var start = new DateTime(month / 12, month % 12 + 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = start.AddMonths(1);
        await InSchemaLockAsync($"""
            CREATE TABLE IF NOT EXISTS {PartitionOf(start)} PARTITION OF {Table}
            FOR VALUES FROM ({start.Ticks}) TO ({end.Ticks})
            """);
        _months[month] = true;
    }

    /// <summary>The partition holding one month's items, <c>profiles_journey_history_yYYYYmMM</c>: retention drops it
    /// whole once every item of the month is older than it keeps.</summary>
    public static string PartitionOf(DateTime month) => $"{Table}_y{month.Year:D4}m{month.Month:D2}";

    private static int MonthOf(long utcTicks)
    {
        var at = new DateTime(utcTicks, DateTimeKind.Utc);
        return at.Year * 12 + at.Month - 1;
    }

    private async Task CreateTableAsync()
    {
        await InSchemaLockAsync($"""
            CREATE TABLE IF NOT EXISTS {Table} (
                occurred bigint NOT NULL,
                profile bytea NOT NULL,
                id text COLLATE "C" NOT NULL,
                body bytea NOT NULL,
                PRIMARY KEY (profile, occurred, id)
            ) PARTITION BY RANGE (occurred)
            """);
        _created = true;
    }

    /// <summary>Runs <paramref name="steps"/> in one transaction under the schema lock; a step answering <c>false</c>
    /// (a check) stops it, and nothing after it runs.</summary>
    /// <returns>Whether every step ran.</returns>
    private async Task<bool> InSchemaLockAsync(params string[] steps)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var step in (string[])[$"SELECT pg_advisory_xact_lock({SchemaLock})", .. steps])
        {
            await using var command = new NpgsqlCommand(step, connection, transaction);
            if (await command.ExecuteScalarAsync() is false) return false;
        }
        await transaction.CommitAsync();
        return true;
    }

    /// <summary>Creates the table first if need be (PostgreSQL may have been down when the node started), and turns
    /// PostgreSQL being out of reach into <see cref="HistoryUnavailableException"/>: the network, or a server shutting
    /// down or starting (a transient error). Other errors PostgreSQL answers pass as they are.</summary>
    private async Task<T> Reaching<T>(Func<Task<T>> action)
    {
        try
        {
            if (!_created) await CreateTableAsync();
            return await action();
        }
        catch (Exception e) when (e is NpgsqlException { IsTransient: true } or NpgsqlException and not PostgresException or TimeoutException)
        {
            throw new HistoryUnavailableException($"The history tier (PostgreSQL) cannot be reached: {e.GetBaseException().Message}");
        }
    }

    private Task Reaching(Func<Task> action) => Reaching(async () =>
    {
        await action();
        return true;
    });
}

/// <summary>A journey item in the history tier: when it occurred (UTC ticks), its id, and its stored form.</summary>
public sealed record HistoryRow(long Occurred, string Id, byte[] Body);
