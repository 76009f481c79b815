using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace AutoVolt.Web.Tests.Support;

/// <summary>A real mosquitto on a free loopback port, with the queue limits the shipped config uses.</summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private MosquittoBroker(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<MosquittoBroker> StartAsync()
    {
        var exe = new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("mosquitto is not installed (apt-get install mosquitto); ./test.sh installs it");
        var port = TestPorts.Free();
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "autovolt-mosquitto-" + port)).FullName;
        var conf = Path.Combine(dir, "mosquitto.conf");
        await File.WriteAllTextAsync(conf, string.Create(CultureInfo.InvariantCulture, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_queued_messages 100000
            max_queued_bytes 0
            set_tcp_nodelay true
            """));
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(conf, (UnixFileMode)0b110_100_100);
        var psi = new ProcessStartInfo(exe, ["-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        var process = Process.Start(psi)!;
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return new MosquittoBroker(process, dir, port);
            }
            catch (SocketException)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException("mosquitto exited: " + await process.StandardError.ReadToEndAsync());
                }
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException("mosquitto did not start listening");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
