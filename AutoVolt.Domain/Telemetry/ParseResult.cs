using System.Diagnostics.CodeAnalysis;

namespace AutoVolt.Domain.Telemetry;

/// <summary>
/// Outcome of parsing one message: either an accepted <typeparamref name="T"/> or a
/// <see cref="Telemetry.Rejection"/>, never both. Parsers return this instead of throwing.
/// </summary>
/// <typeparam name="T">The accepted value type.</typeparam>
public sealed class ParseResult<T>
{
    private readonly T? _value;

    /// <summary>An accepted result.</summary>
    /// <param name="value">The accepted value.</param>
    public ParseResult(T value)
    {
        _value = value;
        IsAccepted = true;
    }

    /// <summary>A rejected result.</summary>
    /// <param name="rejection">Why the message was refused.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rejection"/> is null.</exception>
    public ParseResult(Rejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        Rejection = rejection;
    }

    /// <summary>True when the message was accepted and <see cref="Value"/> is available.</summary>
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsAccepted { get; }

    /// <summary>The rejection; <see langword="null"/> when accepted.</summary>
    public Rejection? Rejection { get; }

    /// <summary>The accepted value.</summary>
    /// <exception cref="InvalidOperationException">The result is a rejection.</exception>
    public T Value => IsAccepted
        ? _value!
        : throw new InvalidOperationException($"The message was rejected: {Rejection}");

    /// <summary>Gets the value when accepted, otherwise the rejection.</summary>
    /// <param name="value">The accepted value, or default.</param>
    /// <param name="rejection">The rejection, or <see langword="null"/> when accepted.</param>
    /// <returns>True when accepted.</returns>
    public bool TryGetValue([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out Rejection? rejection)
    {
        value = _value;
        rejection = Rejection;
        return IsAccepted;
    }

    /// <inheritdoc/>
    public override string ToString() => IsAccepted ? $"Accepted: {_value}" : $"Rejected: {Rejection}";
}
