namespace AutoVolt.Infrastructure.Migration;

/// <summary>How one old switch maps to an AutoVolt device (<c>esp32_name/device_id</c>); stored in <c>legacy_device_map</c>.</summary>
public sealed record DeviceMapping(
    string LegacyDeviceId, string LegacySwitchId, string LegacyDeviceName, string LegacySwitchName, string SwitchType,
    string Esp32Name, string DeviceId, string Classroom, string? MacAddress, decimal? PowerRatingW)
{
    public string DeviceKey => Esp32Name + "/" + DeviceId;
}
