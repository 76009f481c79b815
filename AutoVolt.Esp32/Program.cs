namespace AutoVolt.Esp32;

/// <summary>Entry point of the device simulator (net10.0 build of the firmware core).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("AutoVolt ESP32 simulator: not yet implemented (issue 8).");
        return args.Length == 0 ? 0 : 1;
    }
}
