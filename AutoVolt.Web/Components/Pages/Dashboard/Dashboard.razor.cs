using System.Globalization;
using AutoVolt.Infrastructure.Aggregation;
using AutoVolt.Infrastructure.Analytics;
using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Web.Components.Common;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using NodaTime;

namespace AutoVolt.Web.Components.Pages.Dashboard;

/// <summary>
/// Today and this month for all or one classroom, today's hourly chart and a 6-month trend. Cards
/// and charts come from the one read side (<see cref="AnalyticsQueries"/>); the page reloads when
/// the aggregation job publishes new aggregates.
/// </summary>
public sealed partial class Dashboard : IDisposable
{
    private DaySummary? _summary;
    private MonthReport? _month;
    private AutoVolt.Infrastructure.Analytics.Timeline? _today;
    private IReadOnlyList<MonthReport>? _trend;
    private bool _hasReadings;
    private string? _classroom;
    private string? _error;
    private Instant? _refreshedAt;
    private IReadOnlyList<string> _hourLabels = [];
    private IReadOnlyList<ChartSeriesData> _hourSeries = [];
    private IReadOnlyList<string> _trendLabels = [];
    private IReadOnlyList<ChartSeriesData> _trendSeries = [];
    private IDisposable? _subscription;
    private int _reloadQueued;

    [Inject] private AnalyticsQueries Analytics { get; set; } = default!;
    [Inject] private OverviewQueries Overview { get; set; } = default!;
    [Inject] private AggregationNotifier Notifier { get; set; } = default!;
    [Inject] private IClock Clock { get; set; } = default!;
    [Inject] private IOptions<SiteOptions> Site { get; set; } = default!;

    private string SiteZone => Site.Value.TimeZone;

    protected override Task OnInitializedAsync() => LoadAsync();

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            _subscription = Notifier.Subscribe(_ => OnAggregatesChanged());
        }
    }

    private void OnAggregatesChanged()
    {
        // Coalesce bursts of aggregation runs into one reload.
        if (Interlocked.Exchange(ref _reloadQueued, 1) == 1)
        {
            return;
        }
        _ = InvokeAsync(async () =>
        {
            await Task.Delay(500);
            Interlocked.Exchange(ref _reloadQueued, 0);
            await LoadAsync();
            StateHasChanged();
        });
    }

    private int TodayUnpriced => _summary?.Quality.FlagCounts.GetValueOrDefault("unpriced") ?? 0;

    private async Task OnClassroomChangedAsync(string? classroom)
    {
        _classroom = classroom;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            var zone = Site.Value.Zone();
            var now = Clock.GetCurrentInstant();
            var today = now.InZone(zone).Date;
            _hasReadings = (await Overview.CountsAsync()).TelemetryEvents > 0;
            _summary = await Analytics.SummaryAsync(_classroom, today);
            _month = await Analytics.MonthlyAsync(_classroom, today.Year, today.Month);
            _today = await Analytics.TimelineAsync(_classroom, today, today, 60);
            var trend = new List<MonthReport>();
            for (var i = 5; i >= 0; i--)
            {
                var m = today.PlusMonths(-i);
                trend.Add(i == 0 ? _month : await Analytics.MonthlyAsync(_classroom, m.Year, m.Month));
            }
            _trend = trend;
            _hourLabels = _today.Buckets.Select(b => b.LocalStart.ToString("HH:mm", CultureInfo.InvariantCulture)).ToList();
            _hourSeries =
            [
                new ChartSeriesData("Metered", _today.Buckets.Select(b => (b.EnergyWh - b.EstimatedWh) / 1000m).ToList()),
                new ChartSeriesData("Estimated", _today.Buckets.Select(b => b.EstimatedWh / 1000m).ToList()),
            ];
            _trendLabels = _trend.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Year}-{m.Month:00}")).ToList();
            _trendSeries = [new ChartSeriesData("Energy", _trend.Select(m => m.EnergyWh / 1000m).ToList())];
            _refreshedAt = now;
            _error = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _error = ex.Message;
        }
    }

    private static string Text(LocalDate d) => d.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);

    public void Dispose() => _subscription?.Dispose();
}
