namespace AutoVolt.Infrastructure.Ingestion;

/// <summary>State of the ingestion worker, for health and the Health page.</summary>
public interface IIngestionStatus
{
    bool Connected { get; }
}
