namespace AutoVolt.Domain.Pricing;

/// <summary>Where a cost version applies (column <c>cost_versions.scope</c>); the most specific scope wins.</summary>
public enum CostScope
{
    /// <summary>Every device of the site.</summary>
    Global = 0,
    /// <summary>Every device of one classroom.</summary>
    Classroom = 1,
    /// <summary>One device.</summary>
    Device = 2,
}
