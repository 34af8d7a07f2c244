import NIOCore

/// One logical MySQL packet: a payload and the sequence id of its last frame (a reply continues from it).
struct Packet {
    var sequence: UInt8
    var payload: ByteBuffer
}

/// Joins frames (3-byte length, 1-byte sequence id, payload) into packets. A frame of exactly 0xFFFFFF bytes
/// continues in the next one; a logical payload larger than the limit is an error, detected before it is
/// buffered in full.
struct PacketDecoder: ByteToMessageDecoder {
    typealias InboundOut = Packet
    static let frameMax = 0xFF_FFFF

    let payloadMax: Int
    private var pending: ByteBuffer?

    init(payloadMax: Int) { self.payloadMax = payloadMax }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes >= 4,
            let low = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: UInt16.self),
            let high = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt8.self),
            let sequence = buffer.getInteger(at: buffer.readerIndex + 3, as: UInt8.self)
        else { return .needMoreData }
        let length = Int(low) | Int(high) << 16
        guard (pending?.readableBytes ?? 0) + length <= payloadMax else { throw PacketTooLarge() }
        guard buffer.readableBytes >= 4 + length else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        var frame = buffer.readSlice(length: length)!
        if pending == nil { pending = context.channel.allocator.buffer(capacity: length) }
        pending!.writeBuffer(&frame)
        if length < Self.frameMax {
            context.fireChannelRead(wrapInboundOut(Packet(sequence: sequence, payload: pending!)))
            pending = nil
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        .needMoreData
    }
}

/// A client sent a packet over the server's `max_allowed_packet`.
struct PacketTooLarge: Error {}

extension ByteBuffer {
    /// Frames `payload` into `self` starting at `sequence`, splitting at 0xFFFFFF bytes (and ending with an empty
    /// frame when the payload is an exact multiple). Returns the next sequence id.
    mutating func writeFrames(_ payload: ByteBuffer, sequence: UInt8) -> UInt8 {
        var payload = payload
        var sequence = sequence
        while true {
            let length = min(payload.readableBytes, PacketDecoder.frameMax)
            writeInteger(UInt16(length & 0xFFFF), endianness: .little)
            writeInteger(UInt8(length >> 16))
            writeInteger(sequence)
            var slice = payload.readSlice(length: length)!
            writeBuffer(&slice)
            sequence &+= 1
            if length < PacketDecoder.frameMax { return sequence }
        }
    }
}
