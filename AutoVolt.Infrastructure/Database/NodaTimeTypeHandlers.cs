using System.Data;
using Dapper;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace AutoVolt.Infrastructure.Database;

/// <summary>Dapper parameter handlers for NodaTime values (reading needs none with UseNodaTime).</summary>
public static class NodaTimeTypeHandlers
{
    private static int _registered;

    /// <summary>Registers the handlers once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }
        SqlMapper.AddTypeHandler(new InstantHandler());
        SqlMapper.AddTypeHandler(new LocalDateHandler());
        SqlMapper.AddTypeHandler(new LocalDateTimeHandler());
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    private sealed class InstantHandler : SqlMapper.TypeHandler<Instant>
    {
        public override void SetValue(IDbDataParameter parameter, Instant value)
        {
            parameter.Value = value;
            if (parameter is NpgsqlParameter np)
            {
                np.NpgsqlDbType = NpgsqlDbType.TimestampTz;
            }
        }

        public override Instant Parse(object value) => value switch
        {
            Instant i => i,
            DateTime dt => Instant.FromDateTimeUtc(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            _ => throw new DataException($"Cannot convert {value.GetType()} to Instant"),
        };
    }

    private sealed class LocalDateHandler : SqlMapper.TypeHandler<LocalDate>
    {
        public override void SetValue(IDbDataParameter parameter, LocalDate value)
        {
            parameter.Value = value;
            if (parameter is NpgsqlParameter np)
            {
                np.NpgsqlDbType = NpgsqlDbType.Date;
            }
        }

        public override LocalDate Parse(object value) => value switch
        {
            LocalDate d => d,
            DateOnly d => LocalDate.FromDateOnly(d),
            DateTime dt => LocalDate.FromDateTime(dt),
            _ => throw new DataException($"Cannot convert {value.GetType()} to LocalDate"),
        };
    }

    private sealed class LocalDateTimeHandler : SqlMapper.TypeHandler<LocalDateTime>
    {
        public override void SetValue(IDbDataParameter parameter, LocalDateTime value)
        {
            parameter.Value = value;
            if (parameter is NpgsqlParameter np)
            {
                np.NpgsqlDbType = NpgsqlDbType.Timestamp;
            }
        }

        public override LocalDateTime Parse(object value) => value switch
        {
            LocalDateTime d => d,
            DateTime dt => LocalDateTime.FromDateTime(dt),
            _ => throw new DataException($"Cannot convert {value.GetType()} to LocalDateTime"),
        };
    }
}
