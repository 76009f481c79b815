using NodaTime;

namespace AutoVolt.Domain.Ledger;

/// <summary>One status message of a board: at <paramref name="At"/> it reported <paramref name="Status"/>.</summary>
/// <param name="At">The status instant (payload timestamp when valid, else receive time; DESIGN.md section 2).</param>
/// <param name="Status">Online or offline.</param>
public sealed record BoardStatusEvent(Instant At, BoardStatus Status);
