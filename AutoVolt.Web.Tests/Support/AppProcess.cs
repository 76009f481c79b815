using System.Diagnostics;

namespace AutoVolt.Web.Tests.Support;

/// <summary>
/// The real app (AutoVolt.Web.dll from the test output) as a separate process, so a test can kill it
/// hard (SIGKILL: no graceful shutdown, no pending acknowledgements flushed) like a crash or power loss.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ingestionConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private AppProcess(Process process) => _process = process;

    /// <summary>The process's output so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(60));
            }
        }
    }

    /// <summary>Starts the app with <paramref name="settings"/> as --Key=value arguments; Kestrel on a free loopback port.</summary>
    public static AppProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var dir = AppContext.BaseDirectory;
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(dir, "AutoVolt.Web.dll"));
        psi.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var (k, v) in settings)
        {
            psi.ArgumentList.Add($"--{k}={v}");
        }
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        var app = new AppProcess(Process.Start(psi)!);
        app._process.OutputDataReceived += (_, e) => app.OnLine(e.Data);
        app._process.ErrorDataReceived += (_, e) => app.OnLine(e.Data);
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        return app;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
        }
        if (line.Contains("Ingestion connected to", StringComparison.Ordinal))
        {
            _ingestionConnected.TrySetResult();
        }
    }

    /// <summary>Waits until the ingestion worker has connected to its broker.</summary>
    public async Task WaitForIngestionAsync(TimeSpan timeout)
    {
        var done = await Task.WhenAny(_ingestionConnected.Task, Task.Delay(timeout), _process.WaitForExitAsync());
        if (done != _ingestionConnected.Task)
        {
            throw new InvalidOperationException("The app did not connect its ingestion in time:\n" + Output);
        }
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
