/// What one `backtrack bench` run measures: the sizes, history lengths and target distances, and how often each
/// measurement repeats.
public struct BenchOptions: Sendable {
    /// sysbench rows in `sbtest1`.
    public var sizes: [Int]
    /// Commits written after the snapshot (the history a rewind may have to cross).
    public var histories: [Int]
    /// How far back the target lies, as a fraction of the history (0.5: half of the commits are after it).
    public var distances: [Double]
    public var repetitions: Int
    public var seed: UInt64
    /// Also measure a real MariaDB (dump + binlog replay, flashback); needs `mariadb-server` installed.
    public var mariaDB: Bool

    public init(
        sizes: [Int] = [10_000, 100_000], histories: [Int] = [100, 1_000, 10_000],
        distances: [Double] = [0.1, 0.5, 0.9],
        repetitions: Int = 5, seed: UInt64 = 1, mariaDB: Bool = false
    ) {
        self.sizes = sizes
        self.histories = histories
        self.distances = distances
        self.repetitions = repetitions
        self.seed = seed
        self.mariaDB = mariaDB
    }

    /// The distance used where distance is not what varies: the middle of the listed ones.
    public var primaryDistance: Double { distances.sorted()[distances.count / 2] }
}

/// One generated history and the targets measured on it.
struct Scenario: Hashable, Sendable {
    var rows: Int
    var history: Int
    var distances: [Double]

    /// The commits between a target at `distance` and the newest state (at least 1, at most all of them).
    func commitsBack(_ distance: Double) -> Int { min(history, max(1, Int((Double(history) * distance).rounded()))) }
}

extension BenchOptions {
    /// Three sweeps that share their smallest point: sizes at the smallest history, histories at the smallest
    /// size, and distances on the smallest size with the longest history. A full cross product would cost
    /// sizes × histories loads for no extra shape.
    var scenarios: [Scenario] {
        let sizes = self.sizes.sorted()
        let histories = self.histories.sorted()
        var plan: [Scenario] = []
        func add(_ rows: Int, _ history: Int, _ distances: [Double]) {
            if let index = plan.firstIndex(where: { $0.rows == rows && $0.history == history }) {
                for distance in distances where !plan[index].distances.contains(distance) {
                    plan[index].distances.append(distance)
                }
                plan[index].distances.sort()
            } else {
                plan.append(Scenario(rows: rows, history: history, distances: distances))
            }
        }
        for rows in sizes { add(rows, histories[0], [primaryDistance]) }
        for history in histories { add(sizes[0], history, [primaryDistance]) }
        add(sizes[0], histories[histories.count - 1], distances.sorted())
        return plan
    }

    /// A one-line reason the options cannot run, or nil.
    public var problem: String? {
        if sizes.isEmpty || sizes.contains(where: { !(1...50_000_000).contains($0) }) {
            return "--sizes must list row counts from 1 to 50000000"
        }
        if histories.isEmpty || histories.contains(where: { !(1...200_000).contains($0) }) {
            return "--history must list commit counts from 1 to 200000"
        }
        if distances.isEmpty || distances.contains(where: { !($0 > 0 && $0 <= 1) }) {
            return "--distances must list fractions of the history in (0, 1]"
        }
        if !(1...1_000).contains(repetitions) { return "--repeat must be from 1 to 1000" }
        return nil
    }
}
