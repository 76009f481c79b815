namespace AutoVolt.Esp32.Core;

/// <summary>
/// Non-volatile storage for small records (ESP32: NVS or a file on the internal flash partition).
/// Implementations write the whole record or nothing observable to <see cref="Read"/> callers only
/// on a best-effort basis; <see cref="NvRecordSlots"/> adds A/B slots and a CRC on top, so a torn
/// write never loses the previous good value.
/// </summary>
public interface INvStore
{
    /// <summary>Returns the bytes last written under <paramref name="key"/>, or null when none.</summary>
    byte[]? Read(string key);

    /// <summary>Replaces the record under <paramref name="key"/>. Keys are at most 15 characters (ESP-IDF NVS limit).</summary>
    void Write(string key, byte[] data);
}
