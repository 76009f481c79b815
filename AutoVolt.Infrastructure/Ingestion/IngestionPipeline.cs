using System.Diagnostics;
using System.Threading.Channels;
using AutoVolt.Domain.Telemetry;
using AutoVolt.Infrastructure.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>
/// Group commit: messages submitted concurrently are classified and written in one transaction;
/// each submitter's task completes only after that commit (or fails with the write's error), so
/// whoever acknowledges to the broker or the board does so only for stored messages.
/// </summary>
public sealed partial class IngestionPipeline(IngestionBatchWriter writer, IOptions<LedgerOptions> ledger, ILogger<IngestionPipeline> logger)
    : BackgroundService, IIngestionStatistics
{
    /// <summary>Upper bound of one transaction: large enough to amortise the commit, small enough to keep latency low.</summary>
    public const int MaxBatch = 500;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(20_000) { SingleReader = true });
    private long _received;
    private long _batches;
    private long _batchedMessages;
    private long _commitTicks;
    private int _lastBatchSize;
    private long _lastCommitTicks;
    private long _stored;
    private long _duplicates;
    private long _quarantined;
    private long _failedBatches;

    /// <summary>Raised after each commit with the devices that got new readings.</summary>
    public event Action<BatchResult>? Committed;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Committed batches since start.</summary>
    public long Batches => Interlocked.Read(ref _batches);
    public long Stored => Interlocked.Read(ref _stored);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long Quarantined => Interlocked.Read(ref _quarantined);
    public long FailedBatches => Interlocked.Read(ref _failedBatches);
    public Instant? LastCommitAt { get; private set; }
    public int LastBatchSize => Volatile.Read(ref _lastBatchSize);
    public double AverageBatchSize => Interlocked.Read(ref _batches) is var n and > 0 ? (double)Interlocked.Read(ref _batchedMessages) / n : 0;
    public double LastCommitMs => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _lastCommitTicks)).TotalMilliseconds;
    public double AverageCommitMs => Interlocked.Read(ref _batches) is var n and > 0 ? Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _commitTicks)).TotalMilliseconds / n : 0;
    public int Backlog => _queue.Reader.Count;

    private ClockRules Rules => new() { SettleWindow = Duration.FromSeconds(ledger.Value.SettleSeconds) };

    /// <summary>Stores <paramref name="message"/>; completes after the commit that contains it.</summary>
    public async Task SubmitAsync(IncomingMessage message, CancellationToken ct)
    {
        var pending = await EnqueueCoreAsync(message, classified: null, ct);
        if (!await pending.Done.Task.WaitAsync(ct))
        {
            throw new IngestionUnavailableException("The message could not be stored; it was not acknowledged.", pending.Error ?? new IngestionUnavailableException());
        }
    }

    /// <summary>
    /// Queues <paramref name="message"/> (waiting only while the queue is full) and returns without waiting for its commit.
    /// The returned task completes with <c>true</c> once the commit that contains the message is done, <c>false</c> if that
    /// write failed (nothing of the batch is stored), or is cancelled if the pipeline stops first; it never faults. Messages
    /// are committed in the order they were queued (one writer), so for one submitter the tasks complete in order.
    /// The message is parsed here, on the caller's thread (for the embedded broker: each client's receive loop), so parsing
    /// runs in parallel and overlaps the commit in progress instead of delaying the single writer.
    /// </summary>
    public async ValueTask<Task<bool>> EnqueueAsync(IncomingMessage message, CancellationToken ct) =>
        (await EnqueueCoreAsync(message, ClassifyOrQuarantine(message, Rules), ct)).Done.Task;

    private async ValueTask<Pending> EnqueueCoreAsync(IncomingMessage message, ClassifiedMessage? classified, CancellationToken ct)
    {
        var pending = new Pending(message, classified, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, ct);
        Interlocked.Increment(ref _received);
        return pending;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var p))
                {
                    batch.Add(p);
                }
                await WriteBatchAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        while (reader.TryRead(out var left))
        {
            left.Done.TrySetCanceled(stoppingToken);
        }
    }

    private async Task WriteBatchAsync(List<Pending> batch, CancellationToken ct)
    {
        var rules = Rules;
        var classified = new List<ClassifiedMessage>(batch.Count);
        foreach (var p in batch)
        {
            classified.Add(p.Classified ?? ClassifyOrQuarantine(p.Message, rules));
        }
        try
        {
            var started = Stopwatch.GetTimestamp();
            var result = await writer.WriteAsync(classified, ct);
            var ticks = Stopwatch.GetTimestamp() - started;
            Interlocked.Exchange(ref _lastCommitTicks, ticks);
            Interlocked.Add(ref _commitTicks, ticks);
            Volatile.Write(ref _lastBatchSize, batch.Count);
            Interlocked.Add(ref _batchedMessages, batch.Count);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _stored, result.Inserted);
            Interlocked.Add(ref _duplicates, result.Duplicates);
            Interlocked.Add(ref _quarantined, result.Quarantined);
            LastCommitAt = batch[^1].Message.ReceivedAt;
            foreach (var p in batch)
            {
                p.Done.TrySetResult(true);
            }
            try
            {
                Committed?.Invoke(result);
            }
            catch (Exception ex)
            {
                LogCommittedHandlerFailed(logger, ex);
            }
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failedBatches);
            LogBatchFailed(logger, batch.Count, ex.Message);
            foreach (var p in batch)
            {
                p.Error = ex;
                p.Done.TrySetResult(false);
            }
        }
    }

    private static ClassifiedMessage ClassifyOrQuarantine(IncomingMessage message, ClockRules rules)
    {
        try
        {
            return ClassifiedMessage.Classify(message, rules);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            // The parser should reject rather than throw; if it ever throws, the message is still kept.
            return new ClassifiedMessage.Quarantined(message.Topic, message.Payload, "unparseable: " + ex.Message, null, message.ReceivedAt);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion batch of {Count} message(s) not stored: {Error}")]
    private static partial void LogBatchFailed(ILogger logger, int count, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A handler of the ingestion commit failed")]
    private static partial void LogCommittedHandlerFailed(ILogger logger, Exception ex);

    // Classified: parsed at enqueue (EnqueueAsync), else null and parsed by the writer (SubmitAsync, the external path as before).
    private sealed record Pending(IncomingMessage Message, ClassifiedMessage? Classified, TaskCompletionSource<bool> Done)
    {
        /// <summary>Why the write failed (set before <see cref="Done"/> completes with false).</summary>
        public Exception? Error { get; set; }
    }
}

/// <summary>Counters of the ingestion pipeline.</summary>
public interface IIngestionStatistics
{
    /// <summary>Messages handed to the pipeline (queued), stored or not.</summary>
    long Received { get; }
    long Stored { get; }
    long Duplicates { get; }
    long Quarantined { get; }
    long FailedBatches { get; }
    Instant? LastCommitAt { get; }

    /// <summary>Messages in the last committed batch.</summary>
    int LastBatchSize { get; }

    /// <summary>Mean messages per committed batch since start.</summary>
    double AverageBatchSize { get; }

    /// <summary>Duration of the last batch write + commit, in milliseconds.</summary>
    double LastCommitMs { get; }

    /// <summary>Mean batch write + commit duration since start, in milliseconds.</summary>
    double AverageCommitMs { get; }

    /// <summary>Messages queued and not yet committed (so not yet acknowledged to anyone).</summary>
    int Backlog { get; }
}

/// <summary>The store is unavailable: the message was not stored and must not be acknowledged.</summary>
public sealed class IngestionUnavailableException : Exception
{
    public IngestionUnavailableException() { }
    public IngestionUnavailableException(string message) : base(message) { }
    public IngestionUnavailableException(string message, Exception inner) : base(message, inner) { }
}
