/// Every way a caller can ask the page store for something it cannot do. Caller mistakes never trap.
public enum PageStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownVolume(VolumeID)
    case unknownFile(String)
    case fileExists(String)
    case invalidPageSize(Int)
    case invalidFileName(String)
    /// A page image whose byte count is not the file's page size.
    case pageSizeMismatch(file: String, expected: Int, actual: Int)
    /// A page past the file's page count.
    case pageOutOfRange(file: String, page: PageNumber, pageCount: UInt32)
    case backtrackDisabled(VolumeID)
    case timeBeforeEarliestBacktrack(requested: Timestamp, earliest: Timestamp)
    case timeInFuture(requested: Timestamp, now: Timestamp)
    /// The operation would discard history that read views still hold.
    case historyPinned(VolumeID, readViews: Int)
    case invalidWindow(Int64)

    public var description: String {
        switch self {
        case .unknownVolume(let id): "no such volume: \(id)"
        case .unknownFile(let name): "no such file: '\(name)'"
        case .fileExists(let name): "file already exists: '\(name)'"
        case .invalidPageSize(let size): "invalid page size \(size): use a power of two from 512 to 65536"
        case .invalidFileName(let name): "invalid file name '\(name)': use 1 to 255 bytes"
        case .pageSizeMismatch(let file, let expected, let actual):
            "page image of \(actual) bytes for '\(file)', whose pages are \(expected) bytes"
        case .pageOutOfRange(let file, let page, let count):
            "\(page) is past the end of '\(file)' (\(count) pages)"
        case .backtrackDisabled(let id): "backtracking is disabled on \(id) (its window is 0)"
        case .timeBeforeEarliestBacktrack(let requested, let earliest):
            "\(requested) is before the earliest backtrack time \(earliest)"
        case .timeInFuture(let requested, let now): "\(requested) is in the future (now is \(now))"
        case .historyPinned(let id, let views): "\(id) has \(views) open read view(s) holding its history"
        case .invalidWindow(let seconds): "invalid backtrack window \(seconds) s: it must be 0 or more"
        }
    }
}
