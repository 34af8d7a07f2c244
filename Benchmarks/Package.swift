// swift-tools-version: 6.1
//
// Benchmarks for Backtrack, in their own package so that the main package's test build does not compile the
// benchmark harness. Run from the repository root:
//
//     swift package --package-path Benchmarks benchmark
//
// Docs/PERFORMANCE.md records the results and the machine.
import PackageDescription

let package = Package(
    name: "BacktrackBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Backtrack", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(name: "CMallocStats"),
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                "CMallocStats", .product(name: "PageStore", package: "Backtrack"),
                .product(name: "SQLiteVFS", package: "Backtrack"), .product(name: "SQLFacade", package: "Backtrack"),
                .product(name: "Workload", package: "Backtrack"),
            ]),
        .executableTarget(
            name: "PageStoreBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "PageStore", package: "Backtrack"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/PageStoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "SQLiteBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "PageStore", package: "Backtrack"),
                .product(name: "SQLiteVFS", package: "Backtrack"),
                .product(name: "SQLFacade", package: "Backtrack"),
                .product(name: "Workload", package: "Backtrack"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SQLiteBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ],
    swiftLanguageModes: [.v6]
)
