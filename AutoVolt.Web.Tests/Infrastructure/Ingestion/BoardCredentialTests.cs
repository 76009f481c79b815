using AutoVolt.Infrastructure.Configuration;
using AutoVolt.Infrastructure.Database;
using AutoVolt.Infrastructure.Ingestion;
using AutoVolt.Web.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;

namespace AutoVolt.Web.Tests.Infrastructure.Ingestion;

public sealed class SecuredBrokerFixture : IAsyncLifetime
{
    public AutoVoltAppFactory Factory { get; } = new AutoVoltAppFactory()
        .With("Ledger:SettleSeconds", "3600")
        .With("Mqtt:RequireBoardCredentials", "true");

    public BoardCredentialStore Credentials => Factory.Services.GetRequiredService<BoardCredentialStore>();

    public EmbeddedBroker Broker => Factory.Services.GetRequiredService<EmbeddedBroker>();

    public Task InitializeAsync()
    {
        _ = Factory.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    public async Task<long> StoredAsync(string board)
    {
        await using var conn = await Factory.Services.GetRequiredService<AutoVoltDatabase>().OpenAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM telemetry_events WHERE esp32_name = @board", new { board });
    }
}

public sealed class BoardCredentialTests(SecuredBrokerFixture app) : IClassFixture<SecuredBrokerFixture>
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 5, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Connect_WithoutCredentials_IsRefused()
    {
        var before = app.Broker.RefusedConnections;
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await MqttTestClient.ConnectCodeAsync(app.Factory.MqttPort, "SEC-ANON"));
        Assert.Equal(before + 1, app.Broker.RefusedConnections);

        // Operators see it: /metrics exports the count.
        using var http = app.Factory.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", AutoVoltAppFactory.AdminApiKey);
        var body = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = Assert.Single(body.Split('\n'), l => l.StartsWith("autovolt_broker_refused_connections", StringComparison.Ordinal));
        Assert.True(long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= before + 1, line);
    }

    [Fact]
    public async Task Connect_WrongSecret_IsRefused()
    {
        var secret = await app.Credentials.CreateAsync("SECW");
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
            await MqttTestClient.ConnectCodeAsync(app.Factory.MqttPort, "SECW", "SECW", secret + "x"));
        // Another board's valid secret does not open this board's name either.
        var other = await app.Credentials.CreateAsync("SECW2");
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
            await MqttTestClient.ConnectCodeAsync(app.Factory.MqttPort, "SECW", "SECW", other));
    }

    [Fact]
    public async Task Connect_RevokedSecret_IsRefused()
    {
        var secret = await app.Credentials.CreateAsync("SECR");
        await using (var ok = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SECR", userName: "SECR", password: secret))
        {
            Assert.True(ok.IsConnected);
        }
        Assert.True(await app.Credentials.RevokeAsync("SECR"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword,
            await MqttTestClient.ConnectCodeAsync(app.Factory.MqttPort, "SECR", "SECR", secret));
    }

    [Fact]
    public async Task Publish_CorrectCredentials_OwnTopic_IsStored()
    {
        var secret = await app.Credentials.CreateAsync("SECA");
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SECA-client", userName: "SECA", password: secret);
        var result = await board.PublishAsync("autovolt/SECA/telemetry", MqttTestClient.Telemetry("SECA", "light_1", T0, 10m, 40m, 1));
        Assert.True(result.IsSuccess, result.ReasonString);
        Assert.Equal(1, await app.StoredAsync("SECA"));
    }

    [Fact]
    public async Task Publish_BoardAOnBoardBTopic_IsRefusedAndNotStored()
    {
        var secretA = await app.Credentials.CreateAsync("SECX");
        await app.Credentials.CreateAsync("SECY");
        var refusedBefore = app.Broker.RefusedPublishes;
        await using var boardA = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SECX", userName: "SECX", password: secretA);
        // A payload that would be valid for board B, published by board A on B's topic.
        var result = await boardA.PublishAsync("autovolt/SECY/telemetry", MqttTestClient.Telemetry("SECY", "light_1", T0, 10m, 40m, 1));
        Assert.False(result.IsSuccess);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        // A prefix trick is not under autovolt/SECX/ either.
        var sneaky = await boardA.PublishAsync("autovolt/SECXY/telemetry", MqttTestClient.Telemetry("SECXY", "light_1", T0, 10m, 40m, 1));
        Assert.False(sneaky.IsSuccess);
        Assert.Equal(refusedBefore + 2, app.Broker.RefusedPublishes);
        Assert.Equal(0, await app.StoredAsync("SECY"));
        Assert.Equal(0, await app.StoredAsync("SECXY"));
        // The connection stays usable for its own topic.
        Assert.True((await boardA.PublishAsync("autovolt/SECX/telemetry", MqttTestClient.Telemetry("SECX", "light_1", T0, 10m, 40m, 1))).IsSuccess);
        Assert.Equal(1, await app.StoredAsync("SECX"));
    }

    [Fact]
    public async Task Publish_V311BoardOnOtherTopic_IsNotStored()
    {
        var secret = await app.Credentials.CreateAsync("SECV");
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SECV", MqttProtocolVersion.V311, "SECV", secret);
        await board.PublishAsync("autovolt/SECZ/telemetry", MqttTestClient.Telemetry("SECZ", "light_1", T0, 10m, 40m, 1));
        Assert.Equal(0, await app.StoredAsync("SECZ"));
    }

    [Fact]
    public async Task AddBoardVerb_PrintsASecretThatConnects()
    {
        using var output = new StringWriter();
        Assert.Equal(0, await AutoVolt.Web.Cli.AddBoardVerb.RunAsync(app.Factory.Services, ["SECCLI"], output));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var secret = lines[^1];
        Assert.True(secret.Length >= 24);
        await using var board = await MqttTestClient.ConnectAsync(app.Factory.MqttPort, "SECCLI", userName: "SECCLI", password: secret);
        Assert.True(board.IsConnected);
    }

    [Fact]
    public async Task Broker_OnNonLoopbackAddress_RequiresCredentialsWithoutTheSetting()
    {
        var port = TestPorts.Free();
        var options = Options.Create(new MqttOptions { ListenAddress = "0.0.0.0", ListenPort = port });
        // Without a credential store it refuses to start rather than accept anonymous boards off loopback.
        await using (var unsafeBroker = new EmbeddedBroker(options, NullLogger<EmbeddedBroker>.Instance))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => unsafeBroker.StartAsync(CancellationToken.None));
        }
        await using var broker = new EmbeddedBroker(options, NullLogger<EmbeddedBroker>.Instance, app.Credentials);
        await broker.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(broker.RequiresCredentials);
            Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await MqttTestClient.ConnectCodeAsync(port, "OFFLB-ANON"));
            var secret = await app.Credentials.CreateAsync("OFFLB");
            Assert.Equal(MqttClientConnectResultCode.Success, await MqttTestClient.ConnectCodeAsync(port, "OFFLB", "OFFLB", secret));
        }
        finally
        {
            await broker.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Subscribe_OtherBoardsTopics_IsRefused_OwnIsGranted()
    {
        var secret = await app.Credentials.CreateAsync("SECS");
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", app.Factory.MqttPort).WithClientId("SECS")
            .WithCredentials("SECS", secret).Build());
        var result = await client.SubscribeAsync(factory.CreateSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic("autovolt/+/telemetry").WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic("#").WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic("autovolt/SECS/cmd").WithAtLeastOnceQoS())
            .Build());
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, result.Items.ElementAt(0).ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, result.Items.ElementAt(1).ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, result.Items.ElementAt(2).ResultCode);
        await client.DisconnectAsync();
    }

    [Fact]
    public async Task CreateAsync_InvalidName_Throws() =>
        await Assert.ThrowsAsync<ArgumentException>(() => app.Credentials.CreateAsync("bad name/with slash"));

    [Fact]
    public async Task CreateAsync_StoresOnlyASlowHash()
    {
        var secret = await app.Credentials.CreateAsync("SECH");
        await using var conn = await app.Factory.Services.GetRequiredService<AutoVoltDatabase>().OpenAsync();
        var hash = await conn.ExecuteScalarAsync<string>("SELECT secret_hash FROM board_credentials WHERE esp32_name = 'SECH'");
        Assert.NotNull(hash);
        Assert.DoesNotContain(secret, hash, StringComparison.Ordinal);
        Assert.True(Convert.FromBase64String(hash)[0] == 0x01, "Identity v3 format (PBKDF2)");
    }
}
