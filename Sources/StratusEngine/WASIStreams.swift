@_spi(WASIPlatform) import WASI
import Synchronization

/// Standard input and `api://input`: the invocation's input, read from the start by each opener.
final class InputStream: WASIFile {
    private let bytes: [UInt8]
    private let position = Mutex(0)

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func read(into buffers: GuestBuffers) throws -> WASIAbi.Size {
        try position.withLock { position in
            var total = 0
            for index in 0..<buffers.count where position < bytes.count {
                let n = try buffers.withHostBuffer(at: index) { dest in
                    let n = min(dest.count, bytes.count - position)
                    bytes.withUnsafeBytes { dest.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[position..<(position + n)])) }
                    return n
                }
                position += n
                total += n
            }
            return WASIAbi.Size(total)
        }
    }

    func pread(into buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size { throw WASIAbi.Errno.ESPIPE }
    func write(vectored buffers: GuestBuffers) throws -> WASIAbi.Size { throw WASIAbi.Errno.EBADF }
    func pwrite(vectored buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size { throw WASIAbi.Errno.EBADF }
    func fdStat() throws -> WASIAbi.FdStat {
        WASIAbi.FdStat(fsFileType: .CHARACTER_DEVICE, fsFlags: [], fsRightsBase: [.FD_READ], fsRightsInheriting: [])
    }
    func attributes() throws -> WASIAbi.Filestat { streamStat(size: bytes.count) }
}

/// Standard output, standard error and `api://output`: appends to a sink.
final class OutputStream: WASIFile {
    enum Target: Sendable {
        case body(OutputSink)
        case log(LogSink)
    }
    private let target: Target
    /// Standard error arrives in pieces; lines are logged whole.
    private let pending = Mutex<[UInt8]>([])

    init(_ target: Target) {
        self.target = target
    }

    func write(vectored buffers: GuestBuffers) throws -> WASIAbi.Size {
        var total = 0
        for index in 0..<buffers.count {
            total += try buffers.withHostBuffer(at: index) { src in
                switch target {
                case .body(let sink):
                    guard sink.append(UnsafeRawBufferPointer(src)) else { throw WASIAbi.Errno.EFBIG }
                case .log(let sink):
                    pending.withLock { pending in
                        pending.append(contentsOf: src)
                        while let newline = pending.firstIndex(of: 0x0A) {
                            sink.append(.info, String(decoding: pending[..<newline], as: UTF8.self))
                            pending.removeSubrange(...newline)
                        }
                    }
                }
                return src.count
            }
        }
        return WASIAbi.Size(total)
    }

    /// Logs a last line that had no newline.
    func flush() {
        guard case .log(let sink) = target else { return }
        pending.withLock { pending in
            if !pending.isEmpty { sink.append(.info, String(decoding: pending, as: UTF8.self)) }
            pending.removeAll()
        }
    }

    func read(into buffers: GuestBuffers) throws -> WASIAbi.Size { throw WASIAbi.Errno.EBADF }
    func pread(into buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size { throw WASIAbi.Errno.EBADF }
    func pwrite(vectored buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size { throw WASIAbi.Errno.ESPIPE }
    func fdStat() throws -> WASIAbi.FdStat {
        WASIAbi.FdStat(fsFileType: .CHARACTER_DEVICE, fsFlags: [.APPEND], fsRightsBase: [.FD_WRITE], fsRightsInheriting: [])
    }
    func attributes() throws -> WASIAbi.Filestat { streamStat(size: 0) }
}

/// What the two stream kinds share: they are character devices with nothing to sync or seek.
extension WASIFile {
    func fileType() throws -> WASIAbi.FileType { .CHARACTER_DEVICE }
    func status() throws -> WASIAbi.Fdflags { [] }
    func setTimes(atim: WASIAbi.Timestamp, mtim: WASIAbi.Timestamp, fstFlags: WASIAbi.FstFlags) throws {}
    func advise(offset: WASIAbi.FileSize, length: WASIAbi.FileSize, advice: WASIAbi.Advice) throws {}
    func close() throws {}
    func setFdStatFlags(_ flags: WASIAbi.Fdflags) throws {}
    func setFilestatSize(_ size: WASIAbi.FileSize) throws { throw WASIAbi.Errno.EINVAL }
    func sync() throws {}
    func datasync() throws {}
    func tell() throws -> WASIAbi.FileSize { throw WASIAbi.Errno.ESPIPE }
    func seek(offset: WASIAbi.FileDelta, whence: WASIAbi.Whence) throws -> WASIAbi.FileSize { throw WASIAbi.Errno.ESPIPE }

    func streamStat(size: Int) -> WASIAbi.Filestat {
        WASIAbi.Filestat(dev: 0, ino: 0, filetype: .CHARACTER_DEVICE, nlink: 1, size: WASIAbi.FileSize(size), atim: 0, mtim: 0, ctim: 0)
    }
}

/// The guest's file system: a preopened `api:` directory where `input` and `output` are the
/// invocation's streams, so `fopen("api://input")` works through wasi-libc's preopen lookup.
final class InvocationFileSystem: FileSystemImplementation {
    static let apiDirectory = "api:"

    private let inner: MemoryFileSystem
    private let input: [UInt8]
    private let output: OutputSink

    init(input: [UInt8], output: OutputSink) throws {
        self.input = input
        self.output = output
        self.inner = try MemoryFileSystem()
        try inner.addFile(at: "/\(Self.apiDirectory)/input", content: [UInt8]())
        try inner.addFile(at: "/\(Self.apiDirectory)/output", content: [UInt8]())
    }

    func preopenDirectory(guestPath: String, hostPath: String) throws -> any WASIDir {
        try inner.preopenDirectory(guestPath: "/" + guestPath, hostPath: hostPath)
    }

    func openAt(dirFd: any WASIDir, path: String, oflags: WASIAbi.Oflags, fsRightsBase: WASIAbi.Rights,
                fsRightsInheriting: WASIAbi.Rights, fdflags: WASIAbi.Fdflags, symlinkFollow: Bool) throws -> FdEntry {
        let name = path.split(separator: "/").joined(separator: "/")
        if dirFd.preopenPath == "/" + Self.apiDirectory {
            if name == "input" { return .file(InputStream(input)) }
            if name == "output" { return .file(OutputStream(.body(output))) }
        }
        return try inner.openAt(dirFd: dirFd, path: path, oflags: oflags, fsRightsBase: fsRightsBase,
                                fsRightsInheriting: fsRightsInheriting, fdflags: fdflags, symlinkFollow: symlinkFollow)
    }
}
