namespace AutoVolt.Domain.Ledger;

/// <summary>
/// Finds which key of a payload's <c>switch_state</c> is a device's switch (DESIGN.md section 2).
/// </summary>
public static class SwitchKeyResolver
{
    /// <summary>
    /// The device's switch key, in this order: the registry's key when staff set one; the payload's
    /// <c>switch_key</c>; the only key when <paramref name="switchState"/> has exactly one; a key equal to
    /// <paramref name="deviceId"/>; otherwise null (no switch filter; flag <see cref="EntryMarks.NoSwitchMapping"/>).
    /// Blank keys count as absent. Keys are compared ordinally (case-sensitive).
    /// </summary>
    /// <param name="registryKey">Switch key set by staff in the device registry, if any.</param>
    /// <param name="payloadKey">The payload's optional <c>switch_key</c>.</param>
    /// <param name="switchState">The payload's <c>switch_state</c> map, if any.</param>
    /// <param name="deviceId">The device id (<c>light_1</c>).</param>
    public static string? Resolve(string? registryKey, string? payloadKey, IReadOnlyDictionary<string, bool>? switchState, string deviceId)
    {
        if (!string.IsNullOrWhiteSpace(registryKey))
        {
            return registryKey;
        }
        if (!string.IsNullOrWhiteSpace(payloadKey))
        {
            return payloadKey;
        }
        if (switchState is null)
        {
            return null;
        }
        if (switchState.Count == 1)
        {
            return switchState.Keys.First();
        }
        return !string.IsNullOrEmpty(deviceId) && switchState.ContainsKey(deviceId) ? deviceId : null;
    }

    /// <summary>
    /// The state of the resolved switch: its value in <paramref name="switchState"/>, or null when
    /// <paramref name="switchKey"/> is null or not present (the value for <see cref="AccountingReading.SwitchOn"/>).
    /// </summary>
    public static bool? SwitchOn(string? switchKey, IReadOnlyDictionary<string, bool>? switchState) =>
        switchKey is not null && switchState is not null && switchState.TryGetValue(switchKey, out bool on) ? on : null;
}
