using AutoVolt.Infrastructure.Auth;
using AutoVolt.Web.Tests.Support;
using NodaTime;
using NodaTime.Testing;

namespace AutoVolt.Web.Tests.Infrastructure.Auth;

/// <summary>The store operations behind the admin page, against a real database.</summary>
public sealed class UserStoreAdminTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private readonly FakeClock _clock = new(Instant.FromUtc(2025, 11, 20, 6, 30));

    private UserStore Store => new(db.Database, _clock);

    [Theory]
    [InlineData("alice", true)]
    [InlineData("a.b-c_d@school", true)]
    [InlineData("", false)]
    [InlineData("with space", false)]
    [InlineData("ümlaut", false)]
    [InlineData("x;drop", false)]
    public void IsValidUserName_MatchesTheTableConstraint(string name, bool valid) => Assert.Equal(valid, UserStore.IsValidUserName(name));

    [Fact]
    public void IsValidUserName_65Characters_Invalid()
    {
        Assert.True(UserStore.IsValidUserName(new string('a', 64)));
        Assert.False(UserStore.IsValidUserName(new string('a', 65)));
    }

    [Fact]
    public async Task CreateOrUpdateUser_InvalidNameOrShortPassword_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateOrUpdateUserAsync("bad name", "long-enough", Roles.Viewer));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateOrUpdateUserAsync("shorty", "1234567", Roles.Viewer));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CreateOrUpdateUserAsync("roley", "long-enough", "root"));
        Assert.DoesNotContain(await Store.ListUsersAsync(), u => u.UserName is "shorty" or "roley");
    }

    [Fact]
    public async Task SetRole_ExistingAndMissingUser_ChangesOnlyExisting()
    {
        await Store.CreateOrUpdateUserAsync("promote-me", "promote-password", Roles.Viewer);

        Assert.True(await Store.SetRoleAsync("promote-me", Roles.Operator));
        Assert.False(await Store.SetRoleAsync("nobody-here", Roles.Operator));
        Assert.Equal(Roles.Operator, Assert.Single(await Store.ListUsersAsync(), u => u.UserName == "promote-me").Role);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SetRoleAsync("promote-me", "superuser"));
        // The password is untouched by a role change.
        Assert.Equal(SignInOutcome.Succeeded, (await Store.VerifyPasswordAsync("promote-me", "promote-password")).Outcome);
    }

    [Fact]
    public async Task Unlock_LockedUser_SignsInBeforeTheLockoutEnds()
    {
        await Store.CreateOrUpdateUserAsync("locky2", "locky-password", Roles.Viewer);
        for (var i = 0; i < UserStore.MaxFailedAttempts; i++)
        {
            await Store.VerifyPasswordAsync("locky2", "nope");
        }
        var locked = Assert.Single(await Store.ListUsersAsync(), u => u.UserName == "locky2");
        Assert.Equal(_clock.GetCurrentInstant() + UserStore.LockoutDuration, locked.LockedUntil);

        Assert.True(await Store.UnlockAsync("locky2"));
        Assert.Equal(SignInOutcome.Succeeded, (await Store.VerifyPasswordAsync("locky2", "locky-password")).Outcome);
        Assert.False(await Store.UnlockAsync("nobody-here"));
    }

    [Fact]
    public async Task RevokeApiKey_StopsAuthenticatingAndIsListedWithTime()
    {
        var key = await Store.CreateApiKeyAsync("to-revoke", Roles.Operator);
        var id = Assert.Single(await Store.ListApiKeysAsync(), k => k.Name == "to-revoke").Id;
        _clock.Advance(Duration.FromMinutes(5));

        Assert.True(await Store.RevokeApiKeyAsync(id));
        Assert.Null(await Store.FindApiKeyAsync(key));
        Assert.False(await Store.RevokeApiKeyAsync(id));
        var listed = Assert.Single(await Store.ListApiKeysAsync(), k => k.Name == "to-revoke");
        Assert.Equal(Instant.FromUtc(2025, 11, 20, 6, 35), listed.RevokedAt);
        Assert.Equal(key[..6], listed.KeyPrefix);
        Assert.Equal(Roles.Operator, listed.Role);
    }
}
