import ClusterControl
import PageStore
import Testing

/// The README's example, verbatim: a recovery test in a few lines.
@Test func readmeExample() throws {
    let clock = ManualClock()
    let control = ClusterControl(clock: clock)
    try control.createCluster(NewCluster(identifier: "orders", databaseName: "shop", backtrackWindow: 3600))
    try control.createInstance(NewInstance(identifier: "orders-1", cluster: "orders"))

    let session = try control.connect(to: "orders", database: "shop")
    try session.execute("CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2))")
    try session.execute("INSERT INTO orders VALUES (1, 9.99), (2, 25.00)")
    let good = try session.checksum("orders")
    let beforeMistake = clock.now()

    clock.advance(seconds: 60)
    try session.execute("DELETE FROM orders")  // the mistake

    clock.advance(seconds: 60)
    try control.backtrack("orders", to: beforeMistake)
    let after = try control.connect(to: "orders", database: "shop")
    #expect(try after.checksum("orders") == good)
}
