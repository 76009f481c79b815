namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// Why a message was refused: one human-readable <paramref name="Reason"/> (stored with the
/// quarantined message) and, when one field is at fault, its snake_case payload name
/// (nested fields as <c>switch_state.sw1</c>; <see langword="null"/> when the whole payload is at fault).
/// </summary>
/// <param name="Reason">Precise reason naming the field and, where useful, the offending value.</param>
/// <param name="Field">snake_case name of the field at fault, or <see langword="null"/>.</param>
public sealed record Rejection(string Reason, string? Field)
{
    /// <inheritdoc/>
    public override string ToString() => Field is null ? Reason : $"{Field}: {Reason}";
}
