/// Where superseded page versions live: an append-only log of records in fixed-size chunks.
///
/// History is written in commit order and mostly expires in commit order (the backtrack window slides), so a
/// log of chunks fits it: appends never move memory, a chunk is freed as soon as its last live record dies, and
/// a chunk costs no per-record allocation, header or capacity slack. That is what keeps a small OLTP commit's
/// history under a kilobyte. Records that outlive their neighbours (a page that is never written again) are
/// moved to the tail by `compact`, so fragmentation stays bounded.
///
/// A record is a 1-byte kind, a 4-byte payload length and the payload: a whole page image or a `ReverseDelta`.
struct RecordLog {
    enum Kind: UInt8 {
        case full = 1
        case delta = 2
    }

    /// Where a record lives. Two reserved chunk values mark versions kept outside the log.
    struct Location: Hashable {
        var chunk: UInt32
        var offset: UInt32

        /// The version is the newest one of its page log, held whole as a `PageImage`.
        static let newest = Location(chunk: .max, offset: 0)
        /// The page did not exist (or was cut off by a truncation) at this version.
        static let absent = Location(chunk: .max - 1, offset: 0)

        var isInLog: Bool { chunk < .max - 1 }
    }

    static let recordHeaderBytes = 5
    /// 256 KiB: big enough that a 64 KiB page fits many times over, small enough that a sliding window
    /// returns memory in small steps.
    static let chunkBytes = 256 * 1024

    final class Chunk {
        let base: UnsafeMutableRawPointer
        let capacity: Int
        var used = 0
        var liveBytes = 0

        init(capacity: Int) {
            self.capacity = capacity
            base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        }
        deinit { base.deallocate() }
    }

    private(set) var chunks: [Chunk?] = []
    private var freeSlots: [UInt32] = []
    private var active: UInt32?
    /// Bytes of records still referenced, headers included.
    private(set) var liveBytes = 0
    /// Bytes of chunk memory allocated.
    private(set) var allocatedBytes = 0

    /// Appends a record whose payload `write` fills with exactly `payloadBytes` bytes.
    mutating func append(
        kind: Kind, payloadBytes: Int, _ write: (UnsafeMutableRawPointer) -> Void
    ) -> Location {
        let total = Self.recordHeaderBytes + payloadBytes
        let index = chunkWithRoom(for: total)
        let chunk = chunks[Int(index)]!
        let start = chunk.base + chunk.used
        start.storeBytes(of: kind.rawValue, as: UInt8.self)
        start.storeBytes(of: UInt32(payloadBytes).littleEndian, toByteOffset: 1, as: UInt32.self)
        write(start + Self.recordHeaderBytes)
        let location = Location(chunk: index, offset: UInt32(chunk.used))
        chunk.used += total
        chunk.liveBytes += total
        liveBytes += total
        return location
    }

    /// Appends a record of at most `payloadBytesMax` bytes whose size `write` decides: it returns the bytes
    /// written, or nil to append nothing.
    mutating func append(
        kind: Kind, payloadBytesMax: Int, _ write: (UnsafeMutableRawPointer) -> Int?
    ) -> Location? {
        let index = chunkWithRoom(for: Self.recordHeaderBytes + payloadBytesMax)
        let chunk = chunks[Int(index)]!
        let start = chunk.base + chunk.used
        guard let payloadBytes = write(start + Self.recordHeaderBytes) else { return nil }
        start.storeBytes(of: kind.rawValue, as: UInt8.self)
        start.storeBytes(of: UInt32(payloadBytes).littleEndian, toByteOffset: 1, as: UInt32.self)
        let total = Self.recordHeaderBytes + payloadBytes
        let location = Location(chunk: index, offset: UInt32(chunk.used))
        chunk.used += total
        chunk.liveBytes += total
        liveBytes += total
        return location
    }

    /// Appends a whole-image record.
    mutating func appendFull(_ image: UnsafeRawBufferPointer) -> Location {
        append(kind: .full, payloadBytes: image.count) { out in
            if let base = image.baseAddress { out.copyMemory(from: base, byteCount: image.count) }
        }
    }

    /// The kind and payload of a record.
    func record(at location: Location) -> (Kind, UnsafeRawBufferPointer) {
        let chunk = chunks[Int(location.chunk)]!
        let start = chunk.base + Int(location.offset)
        let kind = Kind(rawValue: start.load(as: UInt8.self))!
        let length = Int(UInt32(littleEndian: start.loadUnaligned(fromByteOffset: 1, as: UInt32.self)))
        return (kind, UnsafeRawBufferPointer(start: start + Self.recordHeaderBytes, count: length))
    }

    /// The bytes a record occupies, header included.
    func footprint(at location: Location) -> Int {
        Self.recordHeaderBytes + record(at: location).1.count
    }

    /// Marks a record dead; frees its chunk when nothing in it is live any more.
    mutating func release(_ location: Location) {
        guard location.isInLog else { return }
        let bytes = footprint(at: location)
        let chunk = chunks[Int(location.chunk)]!
        chunk.liveBytes -= bytes
        liveBytes -= bytes
        if chunk.liveBytes == 0 {
            if active == location.chunk { active = nil }
            allocatedBytes -= chunk.capacity
            chunks[Int(location.chunk)] = nil
            freeSlots.append(location.chunk)
        }
    }

    /// True when chunks hold much more memory than their live records: time for `compact`.
    var isFragmented: Bool {
        allocatedBytes > 2 * Self.chunkBytes && allocatedBytes > liveBytes + liveBytes / 2
    }

    /// Copies a live record to the tail of the log and releases the old copy.
    mutating func relocate(_ location: Location) -> Location {
        let (kind, payload) = record(at: location)
        let moved = append(kind: kind, payloadBytes: payload.count) { out in
            if let base = payload.baseAddress { out.copyMemory(from: base, byteCount: payload.count) }
        }
        release(location)
        return moved
    }

    /// Stops appending to the current chunk, so that relocated records land in fresh chunks.
    mutating func sealActiveChunk() { active = nil }

    /// True if the record lives in a chunk whose live fraction is under half: worth moving when compacting.
    func isInSparseChunk(_ location: Location) -> Bool {
        guard location.isInLog, location.chunk != active, let chunk = chunks[Int(location.chunk)] else {
            return false
        }
        return chunk.liveBytes * 2 < chunk.capacity
    }

    private mutating func chunkWithRoom(for bytes: Int) -> UInt32 {
        if let index = active, let chunk = chunks[Int(index)], chunk.capacity - chunk.used >= bytes {
            return index
        }
        let chunk = Chunk(capacity: max(Self.chunkBytes, bytes))
        allocatedBytes += chunk.capacity
        let index: UInt32
        if let slot = freeSlots.popLast() {
            index = slot
            chunks[Int(slot)] = chunk
        } else {
            index = UInt32(chunks.count)
            chunks.append(chunk)
        }
        // A full-but-live previous active chunk stays allocated; it is freed when its last record dies.
        active = index
        return index
    }
}
