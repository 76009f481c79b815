using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// The identity of a reading (DESIGN.md section 3, "Dedup"): SHA-256 over its canonical fields, used
/// as the unique key of <c>telemetry_events</c> so a redelivered or repeated message is a no-op.
/// </summary>
/// <remarks>
/// <para>Byte layout hashed (integers little-endian; "str" = int64 UTF-8 byte count, then the bytes;
/// "opt" = one byte 0 for absent or 1 for present, then the value): the ASCII text
/// <c>autovolt.reading.v1\n</c>; str board name; str device id; the board timestamp as int64 whole days
/// and int64 nanosecond-of-day since the Unix epoch (exact, so offsets and fraction digits normalise);
/// opt int64 <c>sequence_no</c>; opt dec <c>energy_wh_total</c>; opt dec <c>power_w</c>; opt
/// <c>switch_state</c> as int64 count then, sorted by ordinal key, str key and one byte 0/1; opt str
/// <c>boot_id</c>; opt int64 <c>uptime_seconds</c>.</para>
/// <para>"dec" is a decimal by value: one sign byte, one scale byte, then the 96-bit mantissa as 16 bytes,
/// with trailing decimal zeros removed first, so <c>40</c>, <c>40.0</c> and <c>4e1</c> hash the same and
/// <c>-0</c> equals <c>0</c>. Length prefixes keep field boundaries from shifting; absent and zero differ.</para>
/// <para>The receive time, classroom, status, firmware, RSSI and switch key are not hashed: a
/// redelivery hashes the same whenever it arrives. <c>uptime_seconds</c> is hashed (beyond the
/// DESIGN list) because it is measured: for a board without clock and sequence number it is what
/// tells two identical power readings apart.</para>
/// </remarks>
public static class ReadingIdentity
{
    /// <summary>Length of an identity, in bytes (SHA-256).</summary>
    public const int Length = 32;

    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("autovolt.reading.v1\n");

    /// <summary>Identity of a reading.</summary>
    /// <param name="reading">The reading.</param>
    /// <returns>32 bytes of SHA-256.</returns>
    public static ImmutableArray<byte> Compute(TelemetryReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        return Compute(reading.EspName, reading.DeviceId, reading.BoardTimestamp, reading.SequenceNo,
            reading.EnergyWhTotal, reading.PowerW, reading.SwitchState, reading.BootId, reading.UptimeSeconds);
    }

    /// <summary>Identity of a reading from its canonical fields.</summary>
    /// <param name="espName">Board name (<c>esp32_name</c>), compared ordinally.</param>
    /// <param name="deviceId">Device id, compared ordinally.</param>
    /// <param name="boardTimestamp">Timestamp as the board sent it (Unix epoch when absent), not the receive time.</param>
    /// <param name="sequenceNo">Board sequence number, or null.</param>
    /// <param name="energyWhTotal">Cumulative energy, Wh, or null.</param>
    /// <param name="powerW">Instantaneous power, W, or null.</param>
    /// <param name="switchState">Switch states by key, or null.</param>
    /// <param name="bootId">Boot id, or null.</param>
    /// <param name="uptimeSeconds">Uptime, s, or null.</param>
    /// <returns>32 bytes of SHA-256.</returns>
    public static ImmutableArray<byte> Compute(
        string espName,
        string deviceId,
        Instant boardTimestamp,
        long? sequenceNo,
        decimal? energyWhTotal,
        decimal? powerW,
        IReadOnlyDictionary<string, bool>? switchState,
        string? bootId,
        long? uptimeSeconds)
    {
        ArgumentNullException.ThrowIfNull(espName);
        ArgumentNullException.ThrowIfNull(deviceId);
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(Domain);
        WriteString(buffer, espName);
        WriteString(buffer, deviceId);
        var sinceEpoch = boardTimestamp - NodaConstants.UnixEpoch;
        WriteInt64(buffer, sinceEpoch.Days);
        WriteInt64(buffer, sinceEpoch.NanosecondOfDay);
        WriteOptionalInt64(buffer, sequenceNo);
        WriteOptionalDecimal(buffer, energyWhTotal);
        WriteOptionalDecimal(buffer, powerW);
        if (switchState is null)
        {
            WriteByte(buffer, 0);
        }
        else
        {
            WriteByte(buffer, 1);
            WriteInt64(buffer, switchState.Count);
            foreach (var pair in switchState.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                WriteString(buffer, pair.Key);
                WriteByte(buffer, pair.Value ? (byte)1 : (byte)0);
            }
        }
        if (bootId is null)
        {
            WriteByte(buffer, 0);
        }
        else
        {
            WriteByte(buffer, 1);
            WriteString(buffer, bootId);
        }
        WriteOptionalInt64(buffer, uptimeSeconds);
        return ImmutableCollectionsMarshal.AsImmutableArray(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>Lower-case hexadecimal form of an identity (64 characters), for logs and URLs.</summary>
    /// <param name="identity">An identity.</param>
    /// <returns>Hexadecimal text.</returns>
    public static string ToHex(ImmutableArray<byte> identity) => Convert.ToHexStringLower(identity.AsSpan());

    private static void WriteByte(ArrayBufferWriter<byte> buffer, byte value)
    {
        buffer.GetSpan(1)[0] = value;
        buffer.Advance(1);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt64(buffer, length);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
        buffer.Advance(length);
    }

    private static void WriteOptionalInt64(ArrayBufferWriter<byte> buffer, long? value)
    {
        WriteByte(buffer, value.HasValue ? (byte)1 : (byte)0);
        if (value is { } v)
        {
            WriteInt64(buffer, v);
        }
    }

    private static void WriteOptionalDecimal(ArrayBufferWriter<byte> buffer, decimal? value)
    {
        WriteByte(buffer, value.HasValue ? (byte)1 : (byte)0);
        if (value is not { } v)
        {
            return;
        }
        // Canonical form: sign, scale and 96-bit mantissa with trailing decimal zeros removed.
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(v, bits);
        // The mantissa words are unsigned bit patterns stored in ints: reinterpret, do not convert.
        var mantissa = ((UInt128)unchecked((uint)bits[2]) << 64) | ((UInt128)unchecked((uint)bits[1]) << 32) | unchecked((uint)bits[0]);
        var scale = (byte)((bits[3] >> 16) & 0xFF);
        var negative = bits[3] < 0 && mantissa != UInt128.Zero; // -0 is 0
        while (scale > 0 && mantissa % 10u == 0u)
        {
            mantissa /= 10u;
            scale--;
        }
        if (mantissa == UInt128.Zero)
        {
            scale = 0;
        }
        WriteByte(buffer, negative ? (byte)1 : (byte)0);
        WriteByte(buffer, scale);
        BinaryPrimitives.WriteUInt128LittleEndian(buffer.GetSpan(16), mantissa);
        buffer.Advance(16);
    }
}
