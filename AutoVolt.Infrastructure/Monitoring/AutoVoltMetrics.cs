using System.Diagnostics.Metrics;
using AutoVolt.Infrastructure.Ingestion;

namespace AutoVolt.Infrastructure.Monitoring;

/// <summary>
/// The app's metrics (meter <see cref="MeterName"/>): ingestion counters recorded as batches commit, and gauges read
/// from a snapshot that <see cref="MetricsSampler"/> refreshes from the database. Exported by the web host
/// (Prometheus at /metrics) under names like <c>autovolt_readings_received_total</c>.
/// </summary>
public sealed class AutoVoltMetrics : IDisposable
{
    public const string MeterName = "AutoVolt";

    private readonly Meter _meter;
    private readonly Counter<long> _received;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _quarantined;
    private volatile MetricsSnapshot _snapshot = MetricsSnapshot.Empty;

    public AutoVoltMetrics(IMeterFactory factory, IIngestionStatistics? ingestion = null, EmbeddedBroker? broker = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _meter = factory.Create(MeterName);
        _received = _meter.CreateCounter<long>("autovolt.readings.received", "{reading}", "Telemetry readings stored (new events).");
        _duplicates = _meter.CreateCounter<long>("autovolt.readings.duplicate", "{reading}", "Redelivered or repeated readings (no-ops).");
        _quarantined = _meter.CreateCounter<long>("autovolt.messages.quarantined", "{message}", "Messages quarantined with a reason.");
        _meter.CreateObservableGauge("autovolt.readings.unaccounted", () => _snapshot.Unaccounted, "{reading}",
            "Stored readings not yet accounted into the ledger (beyond each device's cursor).");
        _meter.CreateObservableGauge("autovolt.ledger.rows", () => _snapshot.LedgerRows, "{row}", "Rows in the append-only ledger.");
        _meter.CreateObservableGauge("autovolt.aggregation.dirty_days", () => _snapshot.DirtyDays, "{day}", "Device-days waiting for re-aggregation.");
        _meter.CreateObservableGauge("autovolt.quarantine.rows", () => _snapshot.QuarantineRows, "{message}", "Rows in quarantined_messages.");
        _meter.CreateObservableGauge("autovolt.review_tickets.open", () => _snapshot.OpenTickets, "{ticket}", "Open review tickets.");
        _meter.CreateObservableGauge("autovolt.job.last_run", ObserveLastRuns, "s",
            "Unix time of each job's last finished run (job_runs; ledger = latest cursor update).");
        _meter.CreateObservableGauge("autovolt.jobs", ObserveJobStates, "{job}",
            "Hangfire jobs by state (succeeded and failed are totals kept by Hangfire).");
        if (ingestion is not null)
        {
            _meter.CreateObservableGauge("autovolt.ingestion.backlog", () => ingestion.Backlog, "{message}",
                "Messages queued for the ingestion writer, not yet committed nor acknowledged.");
            _meter.CreateObservableGauge("autovolt.ingestion.batch_size", () => ingestion.LastBatchSize, "{message}", "Messages in the last committed ingestion batch.");
            _meter.CreateObservableGauge("autovolt.ingestion.commit_duration", () => ingestion.LastCommitMs / 1000.0, "s", "Write + commit time of the last ingestion batch.");
        }
        if (broker is not null)
        {
            _meter.CreateObservableGauge("autovolt.broker.refused_connections", () => broker.RefusedConnections, "{connection}",
                "Board connections the embedded broker refused (no, wrong or revoked credentials) since start.");
            _meter.CreateObservableGauge("autovolt.broker.refused_publishes", () => broker.RefusedPublishes, "{message}",
                "Publishes the embedded broker refused (outside the board's own topics) since start.");
            _meter.CreateObservableGauge("autovolt.broker.withheld_acks", () => broker.WithheldAcknowledgements, "{message}",
                "QoS 1 acknowledgements withheld because the commit failed (the board sends again) since start.");
        }
        _meter.CreateObservableGauge("autovolt.metrics.sampled_at", () => _snapshot.SampledAtUnixSeconds, "s", "Unix time of the last database sample.");
    }

    /// <summary>Records one committed ingestion batch.</summary>
    public void Record(BatchResult batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _received.Add(batch.Inserted);
        _duplicates.Add(batch.Duplicates);
        _quarantined.Add(batch.Quarantined);
    }

    /// <summary>Replaces the gauge snapshot.</summary>
    public void Update(MetricsSnapshot snapshot) => _snapshot = snapshot ?? throw new ArgumentNullException(nameof(snapshot));

    /// <summary>The current gauge snapshot.</summary>
    public MetricsSnapshot Snapshot => _snapshot;

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<double>> ObserveLastRuns() =>
        _snapshot.LastRuns.Select(r => new Measurement<double>(r.Value, new KeyValuePair<string, object?>("job", r.Key)));

    private IEnumerable<Measurement<long>> ObserveJobStates() =>
        _snapshot.JobStates.Select(r => new Measurement<long>(r.Value, new KeyValuePair<string, object?>("state", r.Key)));
}

/// <summary>Database-derived gauge values at one moment.</summary>
public sealed record MetricsSnapshot(long Unaccounted, long LedgerRows, long DirtyDays, long QuarantineRows, long OpenTickets,
    IReadOnlyDictionary<string, double> LastRuns, IReadOnlyDictionary<string, long> JobStates, double SampledAtUnixSeconds)
{
    public static MetricsSnapshot Empty { get; } = new(0, 0, 0, 0, 0, new Dictionary<string, double>(), new Dictionary<string, long>(), 0);
}
