using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AutoVolt.Infrastructure.Database;

/// <summary>
/// A private PostgreSQL cluster started from the machine's own binaries (no downloads):
/// loopback only, a free port, its own socket directory, password authentication. The cluster
/// is created on first start and reused afterwards; a stale postmaster.pid left by a crash is
/// removed. When the process runs as root the server runs as the unprivileged <c>postgres</c>
/// user, because PostgreSQL refuses to run as root.
/// </summary>
public sealed class EmbeddedPostgres : IDisposable
{
    private const string DatabaseUser = "autovolt";
    private readonly string _root;
    private readonly ILogger _logger;
    private readonly string _binDir;
    private readonly string? _runAsUser;
    private bool _started;
    private int _maxConnections = 200;

    /// <summary>What the user is told when no server binaries are found.</summary>
    public const string MissingBinariesMessage =
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH or under /usr/lib/postgresql/*/bin. " +
        "Install them (Debian/Ubuntu: `apt-get install postgresql`), or point AutoVolt at an existing server with " +
        "ConnectionStrings:AutoVolt (environment variable ConnectionStrings__AutoVolt).";

    private EmbeddedPostgres(string root, string binDir, string? runAsUser, ILogger logger)
    {
        _root = root;
        _binDir = binDir;
        _runAsUser = runAsUser;
        _logger = logger;
    }

    /// <summary>Folder holding data/, run/ (socket), the log and the password file.</summary>
    public string Root => _root;

    /// <summary>TCP port the server listens on (loopback).</summary>
    public int Port { get; private set; }

    /// <summary>Connection string to the <c>postgres</c> maintenance database of the cluster.</summary>
    public string ServerConnectionString { get; private set; } = "";

    /// <summary>Connection string for a database of this cluster.</summary>
    public string ConnectionStringFor(string database) =>
        ServerConnectionString.Replace("Database=postgres", "Database=" + database, StringComparison.Ordinal);

    /// <summary>The default data folder: per user, or under /var/lib when running as root.</summary>
    public static string DefaultDataDirectory()
    {
        if (IsRoot())
        {
            return "/var/lib/autovolt/postgres";
        }
        var baseDir = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(baseDir, "autovolt", "postgres");
    }

    /// <summary>Starts (creating if needed) the cluster under <paramref name="root"/>.</summary>
    /// <param name="root">Cluster folder.</param>
    /// <param name="logger">Where to log.</param>
    /// <param name="port">TCP port to listen on (e.g. the same port again after a restart); a free port when null.</param>
    /// <param name="maxConnections">PostgreSQL max_connections of a newly started server.</param>
    /// <exception cref="EmbeddedPostgresException">Binaries missing, or the server would not start; the message says what to do.</exception>
    public static EmbeddedPostgres Start(string root, ILogger? logger = null, int? port = null, int maxConnections = 200)
    {
        logger ??= NullLogger.Instance;
        var binDir = FindBinaries() ?? throw new EmbeddedPostgresException(MissingBinariesMessage);
        string? runAs = null;
        if (IsRoot())
        {
            runAs = "postgres";
            if (!UserExists(runAs))
            {
                throw new EmbeddedPostgresException(
                    "AutoVolt runs as root, and PostgreSQL refuses to run as root, but there is no unprivileged 'postgres' system user to run it as. " +
                    "Install the postgresql package (it creates that user), run AutoVolt as a normal user, or set ConnectionStrings:AutoVolt.");
            }
        }
        var pg = new EmbeddedPostgres(Path.GetFullPath(root), binDir, runAs, logger) { _maxConnections = maxConnections };
        pg.StartCore(port);
        return pg;
    }

    private string DataDir => Path.Combine(_root, "data");
    private string SocketDir => Path.Combine(_root, "run");
    private string LogFile => Path.Combine(_root, "postgres.log");
    private string PasswordFile => Path.Combine(_root, "password");

    private void StartCore(int? port)
    {
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(SocketDir);
        if (_runAsUser is not null)
        {
            EnsureTraversable(_root);
            Run("chown", ["-R", _runAsUser, _root], asServerUser: false);
        }
        var password = EnsurePassword();
        if (!File.Exists(Path.Combine(DataDir, "PG_VERSION")))
        {
            InitDb(password);
        }

        var status = RunPgCtl(["status", "-D", DataDir], throwOnError: false);
        if (status.ExitCode == 0)
        {
            // A server of ours is still running (e.g. a previous AutoVolt did not stop it): reuse it.
            Port = ReadPortFromPidFile();
            _logger.LogInformation("Embedded PostgreSQL already running in {Root} on port {Port}; reusing it", _root, Port);
        }
        else
        {
            var pidFile = Path.Combine(DataDir, "postmaster.pid");
            if (File.Exists(pidFile))
            {
                _logger.LogWarning("Removing stale {PidFile} left by a server that is no longer running", pidFile);
                File.Delete(pidFile);
            }
            Port = port ?? FreePort();
            var options = string.Create(CultureInfo.InvariantCulture,
                $"-p {Port} -k {SocketDir} -c listen_addresses=127.0.0.1 -c max_connections={_maxConnections}");
            var started = RunPgCtl(["start", "-D", DataDir, "-l", LogFile, "-w", "-t", "60", "-o", options], throwOnError: false);
            if (started.ExitCode != 0)
            {
                throw new EmbeddedPostgresException(
                    $"The embedded PostgreSQL in {_root} did not start (exit {started.ExitCode}): {started.Output.Trim()} {TailOfLog()}");
            }
            _started = true;
            _logger.LogInformation("Embedded PostgreSQL started in {Root} on 127.0.0.1:{Port}", _root, Port);
        }
        ServerConnectionString = string.Create(CultureInfo.InvariantCulture,
            $"Host=127.0.0.1;Port={Port};Username={DatabaseUser};Password={password};Database=postgres");
    }

    private void InitDb(string password)
    {
        if (Directory.Exists(DataDir) && Directory.EnumerateFileSystemEntries(DataDir).Any())
        {
            throw new EmbeddedPostgresException($"{DataDir} exists but holds no PostgreSQL cluster (no PG_VERSION); move it away or choose another Embedded:DataDirectory.");
        }
        Directory.CreateDirectory(DataDir);
        var pwFile = Path.Combine(SocketDir, "initdb.pw");
        File.WriteAllText(pwFile, password);
        try
        {
            if (_runAsUser is not null)
            {
                Run("chown", ["-R", _runAsUser, _root], asServerUser: false);
            }
            RunTool("initdb", ["-D", DataDir, "-U", DatabaseUser, "--pwfile", pwFile, "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]);
        }
        finally
        {
            File.Delete(pwFile);
        }
        _logger.LogInformation("Created embedded PostgreSQL cluster in {DataDir}", DataDir);
    }

    private string EnsurePassword()
    {
        if (File.Exists(PasswordFile))
        {
            return File.ReadAllText(PasswordFile).Trim();
        }
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(PasswordFile, password);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return password;
    }

    private int ReadPortFromPidFile()
    {
        var lines = File.ReadAllLines(Path.Combine(DataDir, "postmaster.pid"));
        return int.Parse(lines[3].Trim(), CultureInfo.InvariantCulture);
    }

    private string TailOfLog()
    {
        try
        {
            var lines = File.ReadAllLines(LogFile);
            return "Log: " + string.Join(" | ", lines.TakeLast(5));
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Stops the server if this instance started it.</summary>
    public void Stop()
    {
        if (!_started)
        {
            return;
        }
        _started = false;
        var stopped = RunPgCtl(["stop", "-D", DataDir, "-m", "fast", "-w", "-t", "60"], throwOnError: false);
        if (stopped.ExitCode != 0 || !WaitForPidFileGone(TimeSpan.FromSeconds(10)))
        {
            // A fast shutdown that did not finish in time: stop without the shutdown checkpoint (WAL replay on next start).
            _logger.LogWarning("Embedded PostgreSQL in {Root} did not stop cleanly (exit {ExitCode}: {Output}); stopping it immediately",
                _root, stopped.ExitCode, stopped.Output.Trim());
            RunPgCtl(["stop", "-D", DataDir, "-m", "immediate", "-w", "-t", "30"], throwOnError: false);
            WaitForPidFileGone(TimeSpan.FromSeconds(10));
        }
        _logger.LogInformation("Embedded PostgreSQL in {Root} stopped", _root);
    }

    private bool WaitForPidFileGone(TimeSpan timeout)
    {
        var pidFile = Path.Combine(DataDir, "postmaster.pid");
        var deadline = Stopwatch.StartNew();
        while (File.Exists(pidFile))
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }
            Thread.Sleep(50);
        }
        return true;
    }

    /// <inheritdoc />
    public void Dispose() => Stop();

    private (int ExitCode, string Output) RunPgCtl(IReadOnlyList<string> args, bool throwOnError)
    {
        var result = Run(Path.Combine(_binDir, "pg_ctl"), args, asServerUser: true);
        if (throwOnError && result.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"pg_ctl {args[0]} failed: {result.Output}");
        }
        return result;
    }

    private void RunTool(string tool, IReadOnlyList<string> args)
    {
        var result = Run(Path.Combine(_binDir, tool), args, asServerUser: true);
        if (result.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"{tool} failed (exit {result.ExitCode}): {result.Output}");
        }
    }

    private (int ExitCode, string Output) Run(string file, IReadOnlyList<string> args, bool asServerUser)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asServerUser && _runAsUser is not null)
        {
            psi.FileName = "runuser";
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(_runAsUser);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(file);
        }
        else
        {
            psi.FileName = file;
        }
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        // pg_ctl start leaves the server running; do not let it inherit our stdout pipes forever.
        using var p = Process.Start(psi) ?? throw new EmbeddedPostgresException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            p.Kill(entireProcessTree: true);
            throw new EmbeddedPostgresException($"{file} {string.Join(' ', args)} timed out");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static void EnsureTraversable(string root)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        // The server user must be able to reach the data folder: every parent needs o+x.
        var dir = new DirectoryInfo(root).Parent;
        while (dir is not null)
        {
            var mode = File.GetUnixFileMode(dir.FullName);
            if ((mode & UnixFileMode.OtherExecute) == 0)
            {
                throw new EmbeddedPostgresException(
                    $"The embedded PostgreSQL runs as user 'postgres', which cannot reach {root} because {dir.FullName} is not searchable by other users. " +
                    "Choose an Embedded:DataDirectory under a searchable folder (default when root: /var/lib/autovolt/postgres).");
            }
            dir = dir.Parent;
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static string? FindBinaries() => FindBinaries(Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql");

    /// <summary>Folder holding initdb, pg_ctl and postgres: first on <paramref name="path"/>, else the newest under <paramref name="debianRoot"/>.</summary>
    internal static string? FindBinaries(string path, string debianRoot)
    {
        static bool Complete(string dir) =>
            File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "postgres"));

        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Complete(dir))
            {
                return dir;
            }
        }
        if (Directory.Exists(debianRoot))
        {
            var best = Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(x => Complete(x.Dir))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            return best.Dir;
        }
        return null;
    }

    private static bool IsRoot() => !OperatingSystem.IsWindows() && NativeMethods.geteuid() == 0;

    private static bool UserExists(string user) =>
        File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(l => l.StartsWith(user + ":", StringComparison.Ordinal));

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
#pragma warning disable CA5392, SYSLIB1054, IDE1006 // libc symbol name
        internal static extern uint geteuid();
#pragma warning restore CA5392, SYSLIB1054, IDE1006
    }
}

/// <summary>The embedded PostgreSQL could not be started; the message tells the user what to do.</summary>
public sealed class EmbeddedPostgresException : Exception
{
    public EmbeddedPostgresException(string message) : base(message) { }
    public EmbeddedPostgresException() { }
    public EmbeddedPostgresException(string message, Exception inner) : base(message, inner) { }
}
