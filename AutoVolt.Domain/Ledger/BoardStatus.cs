namespace AutoVolt.Domain.Ledger;

/// <summary>Connection status a board reported on its status topic.</summary>
public enum BoardStatus
{
    /// <summary>The board connected (<c>online</c>).</summary>
    Online = 0,
    /// <summary>The board went away (<c>offline</c>, usually the MQTT Last Will).</summary>
    Offline = 1,
}
