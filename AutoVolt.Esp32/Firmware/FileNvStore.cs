using System.IO;
using AutoVolt.Esp32.Core;

namespace AutoVolt.Esp32.Firmware;

/// <summary>
/// <see cref="INvStore"/> over files on the internal flash file system (I:\, SPIFFS/littlefs, wear
/// levelled by the file system). One small file per key; <see cref="NvRecordSlots"/> alternates two
/// keys and checks a CRC, so a write torn by a power cut falls back to the previous record.
/// </summary>
public sealed class FileNvStore : INvStore
{
    private readonly string _folder;

    public FileNvStore(string folder)
    {
        _folder = folder;
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }

    public byte[]? Read(string key)
    {
        string path = _folder + "\\" + key + ".bin";
        if (!File.Exists(path))
        {
            return null;
        }

        using (FileStream fs = new FileStream(path, FileMode.Open, FileAccess.Read))
        {
            byte[] data = new byte[(int)fs.Length];
            fs.Read(data, 0, data.Length);
            return data;
        }
    }

    public void Write(string key, byte[] data)
    {
        using (FileStream fs = new FileStream(_folder + "\\" + key + ".bin", FileMode.Create, FileAccess.Write))
        {
            fs.Write(data, 0, data.Length);
            fs.Flush();
        }
    }
}
