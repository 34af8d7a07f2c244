// swift-tools-version: 6.1
//
// Backtrack: Aurora MySQL's storage layer in one process. See Docs/ARCHITECTURE.md for the layers; imports
// point down only. The benchmarks live in their own package under Benchmarks/ so that the test build does not
// compile the benchmark harness.
import PackageDescription

/// Warnings are errors in the project's own targets (STYLE.md §11).
let strict: [SwiftSetting] = [.unsafeFlags(["-warnings-as-errors"])]
/// The storage hot paths (SQLite calls the VFS for every page it reads) skip the runtime exclusivity checks in
/// release builds: point selects through the VFS went from 584,000 to 616,000 per second with this alone
/// (`Point select by id` in the SQLite benchmarks, Docs/PERFORMANCE.md). Debug builds, and so the tests, keep the checks.
let hotPath: [SwiftSetting] =
    strict + [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Backtrack",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "backtrack", targets: ["backtrack"]),
        .library(name: "PageStore", targets: ["PageStore"]),
        .library(name: "SQLiteVFS", targets: ["SQLiteVFS"]),
        .library(name: "SQLFacade", targets: ["SQLFacade"]),
        .library(name: "ClusterControl", targets: ["ClusterControl"]),
        .library(name: "Workload", targets: ["Workload"]),
        .library(name: "MySQLServer", targets: ["MySQLServer"]),
        .library(name: "RDSServer", targets: ["RDSServer"]),
        .library(name: "Bench", targets: ["Bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "PageStore", swiftSettings: hotPath),
        .target(name: "SQLiteVFS", dependencies: ["CSQLite", "PageStore"], swiftSettings: hotPath),
        .target(name: "SQLFacade", dependencies: ["CSQLite", "SQLiteVFS", "PageStore"], swiftSettings: strict),
        .target(
            name: "ClusterControl", dependencies: ["PageStore", "SQLiteVFS", "SQLFacade"], swiftSettings: strict),
        .target(
            name: "MySQLServer",
            dependencies: [
                "ClusterControl", "SQLFacade", "PageStore",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .target(
            name: "RDSServer",
            dependencies: [
                "ClusterControl", "PageStore", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict),
        .target(name: "Workload", dependencies: ["PageStore"], swiftSettings: strict),
        .target(
            name: "Lab", dependencies: ["ClusterControl", "SQLFacade", "PageStore", "Workload"], swiftSettings: strict),
        .target(
            name: "Bench", dependencies: ["ClusterControl", "SQLFacade", "SQLiteVFS", "PageStore", "Workload"],
            swiftSettings: strict),
        .executableTarget(
            name: "backtrack",
            dependencies: [
                "Lab", "Bench", "ClusterControl", "MySQLServer", "RDSServer", "PageStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .testTarget(name: "LabTests", dependencies: ["Lab"], swiftSettings: strict),
        .testTarget(name: "BenchTests", dependencies: ["Bench"], swiftSettings: strict),
        .testTarget(
            name: "RDSServerTests", dependencies: ["RDSServer", "ClusterControl", "PageStore"], swiftSettings: strict),
        .testTarget(name: "PageStoreTests", dependencies: ["PageStore"], swiftSettings: strict),
        .testTarget(
            name: "SQLFacadeTests", dependencies: ["SQLFacade", "SQLiteVFS", "PageStore"],
            resources: [.copy("Resources")], swiftSettings: strict),
        .testTarget(
            name: "ClusterControlTests", dependencies: ["ClusterControl", "SQLFacade", "PageStore"],
            swiftSettings: strict),
        .testTarget(
            name: "SQLiteVFSTests", dependencies: ["SQLiteVFS", "PageStore", "CSQLite"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
