/// Volumes by ID in a dense array: IDs are handed out in sequence, and a lookup on every page read should not
/// pay for hashing.
struct VolumeTable {
    private var slots: [Volume?] = []

    subscript(id: VolumeID) -> Volume? {
        get { Int(id.rawValue) < slots.count ? slots[Int(id.rawValue)] : nil }
        set {
            let index = Int(id.rawValue)
            if slots.count <= index { slots.append(contentsOf: repeatElement(nil, count: index + 1 - slots.count)) }
            slots[index] = newValue
        }
    }

    var values: [Volume] { slots.compactMap { $0 } }
    var keys: [VolumeID] { values.map(\.id) }
}
