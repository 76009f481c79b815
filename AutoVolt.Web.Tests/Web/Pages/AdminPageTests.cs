using AutoVolt.Infrastructure.Auth;
using AutoVolt.Web.Components.Pages.Admin;
using AutoVolt.Web.Tests.Support;
using Bunit;
using NodaTime.Testing;

namespace AutoVolt.Web.Tests.Web.Pages;

/// <summary>The admin page against a real database: validation, users, one-time key display, revocation, unlock.</summary>
public sealed class AdminPageTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private readonly BunitContext _ctx = BunitSetup.Create(db.Database, role: Roles.Admin, userName: "admin");

    private UserStore Store => new(db.Database, new FakeClock(BunitSetup.DefaultNow));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    // Find and trigger in one renderer turn, so a re-render in between cannot leave a stale handler id.
    private static Task Type(IRenderedComponent<Admin> cut, string selector, string value) => cut.InvokeAsync(() => cut.Find(selector).Change(value));

    private static Task Click(IRenderedComponent<Admin> cut, string selector) => cut.InvokeAsync(() => cut.Find(selector).Click());

    [Theory]
    [InlineData("bad name", "long-enough-pw", "User name")]
    [InlineData("", "long-enough-pw", "User name")]
    [InlineData("newbie", "short", "at least 8")]
    [InlineData("newbie", "", "at least 8")]
    public async Task Admin_InvalidUser_ShowsErrorAndCreatesNothing(string name, string password, string error)
    {
        var cut = _ctx.Render<Admin>();
        cut.WaitForElement("[data-testid=users-table]");
        await Type(cut, "#adm-user-name", name);
        await Type(cut, "#adm-user-password", password);
        await Click(cut, "#adm-user-save");

        Assert.Contains(error, cut.WaitForElement("#adm-user-error").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(await Store.ListUsersAsync(), u => u.UserName == name.Trim());
    }

    [Fact]
    public async Task Admin_CreateUserThenChangeRoleAndPassword_StoredAndListed()
    {
        var cut = _ctx.Render<Admin>();
        cut.WaitForElement("[data-testid=users-table]");
        await Type(cut, "#adm-user-name", "carol");
        await Type(cut, "#adm-user-password", "carol-password-1");
        await Click(cut, "#adm-user-save");

        cut.WaitForAssertion(() => Assert.Equal("viewer", cut.Find("[data-testid=user-role-carol]").TextContent));
        Assert.Equal(SignInOutcome.Succeeded, (await Store.VerifyPasswordAsync("carol", "carol-password-1")).Outcome);

        await Click(cut, "#adm-edit-carol");
        Assert.Equal("carol", cut.Find("#adm-user-name").GetAttribute("value"));
        await Type(cut, "#adm-user-password", "carol-password-2");
        await Click(cut, "#adm-user-save");
        cut.WaitForAssertion(() => Assert.Contains("new password", cut.Find("#adm-user-message").TextContent, StringComparison.Ordinal));
        Assert.Equal(SignInOutcome.Failed, (await Store.VerifyPasswordAsync("carol", "carol-password-1")).Outcome);
        Assert.Equal(SignInOutcome.Succeeded, (await Store.VerifyPasswordAsync("carol", "carol-password-2")).Outcome);
    }

    [Fact]
    public async Task Admin_LockedUser_UnlockClearsLockout()
    {
        await Store.CreateOrUpdateUserAsync("locked1", "locked-password", Roles.Viewer);
        for (var i = 0; i < UserStore.MaxFailedAttempts; i++)
        {
            await Store.VerifyPasswordAsync("locked1", "wrong");
        }
        Assert.Equal(SignInOutcome.LockedOut, (await Store.VerifyPasswordAsync("locked1", "locked-password")).Outcome);

        var cut = _ctx.Render<Admin>();
        cut.WaitForElement("#adm-unlock-locked1");
        await Click(cut, "#adm-unlock-locked1");

        cut.WaitForAssertion(() => Assert.Contains("unlocked", cut.Find("#adm-user-message").TextContent, StringComparison.Ordinal));
        // The list reloads after the message: wait for it.
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#adm-unlock-locked1")));
        Assert.Equal(SignInOutcome.Succeeded, (await Store.VerifyPasswordAsync("locked1", "locked-password")).Outcome);
    }

    [Fact]
    public async Task Admin_CreateKey_ShownOnceOnlyHashStoredAndRevokeStopsIt()
    {
        var cut = _ctx.Render<Admin>();
        cut.WaitForElement("[data-testid=key-form]");
        await Type(cut, "#adm-key-name", "script-a");
        await Click(cut, "#adm-key-create");

        var key = cut.WaitForElement("#adm-new-key").TextContent;
        Assert.StartsWith("av_", key, StringComparison.Ordinal);
        Assert.Equal(("script-a", Roles.Viewer), await Store.FindApiKeyAsync(key));
        var listed = Assert.Single(await Store.ListApiKeysAsync(), k => k.Name == "script-a");
        Assert.Equal(key[..6], listed.KeyPrefix);
        Assert.DoesNotContain(key, cut.Find("[data-testid=keys-table]").TextContent, StringComparison.Ordinal);

        // A fresh render of the page never shows the key again.
        var again = _ctx.Render<Admin>();
        again.WaitForElement("[data-testid=key-script-a]");
        Assert.DoesNotContain(key, again.Markup, StringComparison.Ordinal);

        await Click(again, $"#adm-revoke-{listed.Id}");
        again.WaitForAssertion(() => Assert.Contains("revoked", again.Find("#adm-key-message").TextContent, StringComparison.Ordinal));
        Assert.Null(await Store.FindApiKeyAsync(key));
        Assert.Empty(again.FindAll($"#adm-revoke-{listed.Id}"));
        Assert.DoesNotContain("active", again.Find("[data-testid=key-revoked-script-a]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_DuplicateKeyName_RefusedAndOldKeyKeepsWorking()
    {
        var old = await Store.CreateApiKeyAsync("dup-key", Roles.Operator);
        var cut = _ctx.Render<Admin>();
        cut.WaitForElement("[data-testid=key-dup-key]");
        await Type(cut, "#adm-key-name", "dup-key");
        await Click(cut, "#adm-key-create");

        Assert.Contains("already exists", cut.WaitForElement("#adm-key-error").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("#adm-new-key"));
        Assert.Equal(("dup-key", Roles.Operator), await Store.FindApiKeyAsync(old));
    }

    [Fact]
    public async Task Admin_DemoteSelf_RefusedAndRoleKept()
    {
        await Store.CreateOrUpdateUserAsync("admin", "admin-password-1", Roles.Admin);
        var cut = _ctx.Render<Admin>();
        cut.WaitForElement("[data-testid=user-admin]");
        // The form's role defaults to viewer; saving the signed-in admin with it would lock them out of this page.
        await Type(cut, "#adm-user-name", "admin");
        await Click(cut, "#adm-user-save");

        Assert.Contains("own admin role", cut.WaitForElement("#adm-user-error").TextContent, StringComparison.Ordinal);
        Assert.Equal(Roles.Admin, Assert.Single(await Store.ListUsersAsync(), u => u.UserName == "admin").Role);
    }
}
