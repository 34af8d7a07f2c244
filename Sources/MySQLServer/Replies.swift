import NIOCore
import PageStore
import SQLFacade

/// Encoders of the server's reply payloads (`mysql-protocol.md` §5). Each returns payloads; framing and
/// sequence ids are the connection's job.
enum Replies {
    static func ok(
        affectedRows: Int = 0, lastInsertID: Int64 = 0, status: StatusFlags, warnings: Int = 0,
        allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 16)
        buffer.writeInteger(UInt8(0))
        buffer.writeLengthEncoded(UInt64(max(0, affectedRows)))
        buffer.writeLengthEncoded(UInt64(bitPattern: max(0, lastInsertID)))
        buffer.writeUInt16(status.rawValue)
        buffer.writeUInt16(UInt16(clamping: warnings))
        return buffer
    }

    static func error(_ error: MySQLError, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 16 + error.message.utf8.count)
        buffer.writeInteger(UInt8(0xFF))
        buffer.writeUInt16(error.code)
        buffer.writeString("#")
        buffer.writeString(error.sqlState)  // always five characters: every MySQLError is built with one
        buffer.writeString(error.message)
        return buffer
    }

    static func eof(status: StatusFlags, warnings: Int = 0, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 5)
        buffer.writeInteger(UInt8(0xFE))
        buffer.writeUInt16(UInt16(clamping: warnings))
        buffer.writeUInt16(status.rawValue)
        return buffer
    }

    /// ColumnDefinition41.
    static func column(_ column: Column, type: MySQLType? = nil, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        buffer.writeLengthEncoded("def")
        buffer.writeLengthEncoded(column.schema)
        buffer.writeLengthEncoded(column.table)
        buffer.writeLengthEncoded(column.originalTable)
        buffer.writeLengthEncoded(column.name)
        buffer.writeLengthEncoded(column.originalName)
        buffer.writeInteger(UInt8(0x0C))
        buffer.writeUInt16(column.charset)
        buffer.writeUInt32(column.length)
        buffer.writeInteger((type ?? column.type).rawValue)
        buffer.writeUInt16(column.flags.rawValue)
        buffer.writeInteger(column.decimals)
        buffer.writeUInt16(0)
        return buffer
    }

    /// A text result set: column count, definitions, EOF, rows of length-encoded text (0xFB for NULL), EOF.
    static func textResultSet(_ result: QueryResult, status: StatusFlags, allocator: ByteBufferAllocator)
        -> [ByteBuffer]
    {
        var payloads = header(result.columns, types: nil, allocator: allocator, status: status)
        for row in result.rows {
            var buffer = allocator.buffer(capacity: 64 * row.count)
            for value in row {
                if let text = value.mysqlText {
                    buffer.writeLengthEncoded(text)
                } else {
                    buffer.writeInteger(UInt8(0xFB))
                }
            }
            payloads.append(buffer)
        }
        payloads.append(eof(status: status, warnings: result.warningCount, allocator: allocator))
        return payloads
    }

    /// A binary result set (prepared statements): rows start with 0x00 and a NULL bitmap offset by two bits,
    /// then each value in its type's binary form. A column whose values do not all fit its declared type is
    /// sent as VAR_STRING, so the client is never told a type the bytes do not have.
    static func binaryResultSet(_ result: QueryResult, status: StatusFlags, allocator: ByteBufferAllocator)
        -> [ByteBuffer]
    {
        let types = result.columns.indices.map { index in
            BinaryValue.wireType(result.columns[index].type, values: result.rows.lazy.map { $0[index] })
        }
        var payloads = header(result.columns, types: types, allocator: allocator, status: status)
        for row in result.rows {
            var buffer = allocator.buffer(capacity: 64 * row.count)
            buffer.writeInteger(UInt8(0))
            var bitmap = [UInt8](repeating: 0, count: (row.count + 9) / 8)
            for (index, value) in row.enumerated() where value == .null {
                bitmap[(index + 2) / 8] |= 1 << ((index + 2) % 8)
            }
            buffer.writeBytes(bitmap)
            for (index, value) in row.enumerated() where value != .null {
                BinaryValue.write(value, as: types[index], into: &buffer)
            }
            payloads.append(buffer)
        }
        payloads.append(eof(status: status, warnings: result.warningCount, allocator: allocator))
        return payloads
    }

    private static func header(
        _ columns: [Column], types: [MySQLType]?, allocator: ByteBufferAllocator, status: StatusFlags
    ) -> [ByteBuffer] {
        var count = allocator.buffer(capacity: 9)
        count.writeLengthEncoded(UInt64(columns.count))
        var payloads = [count]
        for (index, column) in columns.enumerated() {
            payloads.append(self.column(column, type: types?[index], allocator: allocator))
        }
        payloads.append(eof(status: status, allocator: allocator))
        return payloads
    }
}
