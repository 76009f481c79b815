// Hangfire's JobStorage.Current is static and the apps under test share one PostgreSQL cluster:
// test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
