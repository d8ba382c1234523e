@_spi(WASIPlatform) import WASI

/// What a guest did to its WASI file table during an invocation. A pooled instance keeps its
/// WASI bridge, so it may serve the next invocation only if the table is as it was: every file
/// it opened closed again, standard streams and the `api:` directory left alone.
final class FileTableWatch: @unchecked Sendable {
    // Used only by the thread running the instance's guest.
    private var openFiles = 0
    private var changed = false

    func opened() { openFiles += 1 }
    func change() { changed = true }

    /// A stream was closed: one the guest opened, or one it was given and must keep.
    func closed(_ role: StreamRole) {
        switch role {
        case .standard: changed = true
        case .opened: openFiles -= 1
        }
    }

    var isPristine: Bool { openFiles == 0 && !changed }
}

/// How a stream came to be open, which decides what closing it means.
enum StreamRole {
    /// Standard input, output or error: opened with the bridge, never to be closed.
    case standard
    /// `api://input` or `api://output`, opened by the guest.
    case opened
}

/// Standard input and `api://input`: the current invocation's input, read from the start by
/// each opener (standard input is rewound for each invocation).
final class InputStream: WASIFile, @unchecked Sendable {
    // The context and position are used only by the thread running the instance's guest.
    private let context: GuestContext
    private let role: StreamRole
    private let watch: FileTableWatch
    private var position = 0

    init(_ context: GuestContext, _ role: StreamRole, watch: FileTableWatch) {
        self.context = context
        self.role = role
        self.watch = watch
    }

    func rewind() { position = 0 }

    func read(into buffers: GuestBuffers) throws -> WASIAbi.Size {
        let bytes = context.invocation.input
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

    func close() throws { watch.closed(role) }
    func pread(into buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size { throw WASIAbi.Errno.ESPIPE }
    func write(vectored buffers: GuestBuffers) throws -> WASIAbi.Size { throw WASIAbi.Errno.EBADF }
    func pwrite(vectored buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size { throw WASIAbi.Errno.EBADF }
    func fdStat() throws -> WASIAbi.FdStat {
        WASIAbi.FdStat(fsFileType: .CHARACTER_DEVICE, fsFlags: [], fsRightsBase: [.FD_READ], fsRightsInheriting: [])
    }
    func attributes() throws -> WASIAbi.Filestat { streamStat(size: context.invocation.input.count) }
}

/// Standard output, standard error and `api://output`: appends to the current invocation's
/// response body or log.
final class OutputStream: WASIFile, @unchecked Sendable {
    enum Target {
        case body
        case log
    }
    // The context and pending bytes are used only by the thread running the instance's guest.
    private let context: GuestContext
    private let target: Target
    private let role: StreamRole
    private let watch: FileTableWatch
    /// Standard error arrives in pieces; lines are logged whole.
    private var pending: [UInt8] = []

    init(_ context: GuestContext, _ target: Target, _ role: StreamRole, watch: FileTableWatch) {
        self.context = context
        self.target = target
        self.role = role
        self.watch = watch
    }

    func write(vectored buffers: GuestBuffers) throws -> WASIAbi.Size {
        var total = 0
        for index in 0..<buffers.count {
            total += try buffers.withHostBuffer(at: index) { src in
                switch target {
                case .body:
                    guard context.output.append(UnsafeRawBufferPointer(src)) else { throw WASIAbi.Errno.EFBIG }
                case .log:
                    pending.append(contentsOf: src)
                    while let newline = pending.firstIndex(of: 0x0A) {
                        context.logs.append(.info, String(decoding: pending[..<newline], as: UTF8.self), source: .stderr)
                        pending.removeSubrange(...newline)
                    }
                }
                return src.count
            }
        }
        return WASIAbi.Size(total)
    }

    /// Logs a last line that had no newline.
    func flush() {
        guard target == .log else { return }
        if !pending.isEmpty { context.logs.append(.info, String(decoding: pending, as: UTF8.self), source: .stderr) }
        pending.removeAll()
    }

    func close() throws { watch.closed(role) }
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
/// Anything else the guest opens or changes there marks the file table changed.
final class InvocationFileSystem: FileSystemImplementation, @unchecked Sendable {
    static let apiDirectory = "api:"

    // The context is used only by the thread running the instance's guest.
    private let inner: MemoryFileSystem
    private let context: GuestContext
    private let watch: FileTableWatch

    init(context: GuestContext, watch: FileTableWatch) throws {
        self.context = context
        self.watch = watch
        self.inner = try MemoryFileSystem()
        try inner.addFile(at: "/\(Self.apiDirectory)/input", content: [UInt8]())
        try inner.addFile(at: "/\(Self.apiDirectory)/output", content: [UInt8]())
    }

    func preopenDirectory(guestPath: String, hostPath: String) throws -> any WASIDir {
        if guestPath == AppFiles.mountPoint { return ReadOnlyDirectory(fixed: nil, context: context, watch: watch) }
        return WatchedDirectory(try inner.preopenDirectory(guestPath: "/" + guestPath, hostPath: hostPath), watch: watch)
    }

    func openAt(dirFd: any WASIDir, path: String, oflags: WASIAbi.Oflags, fsRightsBase: WASIAbi.Rights,
                fsRightsInheriting: WASIAbi.Rights, fdflags: WASIAbi.Fdflags, symlinkFollow: Bool) throws -> FdEntry {
        if let appFolder = dirFd as? ReadOnlyDirectory {
            return try appFolder.open(path, oflags: oflags, fsRightsBase: fsRightsBase, fsRightsInheriting: fsRightsInheriting,
                                      fdflags: fdflags, symlinkFollow: symlinkFollow)
        }
        let name = path.split(separator: "/").joined(separator: "/")
        if dirFd.preopenPath == "/" + Self.apiDirectory {
            if name == "input" {
                watch.opened()
                return .file(InputStream(context, .opened, watch: watch))
            }
            if name == "output" {
                watch.opened()
                return .file(OutputStream(context, .body, .opened, watch: watch))
            }
        }
        watch.change()
        let inner = (dirFd as? WatchedDirectory)?.inner ?? dirFd
        return try self.inner.openAt(dirFd: inner, path: path, oflags: oflags, fsRightsBase: fsRightsBase,
                                     fsRightsInheriting: fsRightsInheriting, fdflags: fdflags, symlinkFollow: symlinkFollow)
    }
}

/// The `api:` directory: reads pass through, and anything that changes it (or closes it) marks
/// the file table changed.
final class WatchedDirectory: WASIDir, @unchecked Sendable {
    let inner: any WASIDir
    private let watch: FileTableWatch

    init(_ inner: any WASIDir, watch: FileTableWatch) {
        self.inner = inner
        self.watch = watch
    }

    var preopenPath: String? { inner.preopenPath }
    func readlink(atPath path: String) throws -> [UInt8] { try inner.readlink(atPath: path) }
    func readEntries(cookie: WASIAbi.DirCookie) throws -> WASIReaddirEntries { try inner.readEntries(cookie: cookie) }
    func attributes(path: String, symlinkFollow: Bool) throws -> WASIAbi.Filestat {
        try inner.attributes(path: path, symlinkFollow: symlinkFollow)
    }
    func attributes() throws -> WASIAbi.Filestat { try inner.attributes() }
    func fileType() throws -> WASIAbi.FileType { try inner.fileType() }
    func status() throws -> WASIAbi.Fdflags { try inner.status() }
    func advise(offset: WASIAbi.FileSize, length: WASIAbi.FileSize, advice: WASIAbi.Advice) throws {}

    func createDirectory(atPath path: String) throws {
        watch.change()
        try inner.createDirectory(atPath: path)
    }
    func removeDirectory(atPath path: String) throws {
        watch.change()
        try inner.removeDirectory(atPath: path)
    }
    func removeFile(atPath path: String) throws {
        watch.change()
        try inner.removeFile(atPath: path)
    }
    func symlink(from sourcePath: String, to destPath: String) throws {
        watch.change()
        try inner.symlink(from: sourcePath, to: destPath)
    }
    func rename(from sourcePath: String, toDir newDir: any WASIDir, to destPath: String) throws {
        watch.change()
        try inner.rename(from: sourcePath, toDir: (newDir as? WatchedDirectory)?.inner ?? newDir, to: destPath)
    }
    func setFilestatTimes(path: String, atim: WASIAbi.Timestamp, mtim: WASIAbi.Timestamp,
                          fstFlags: WASIAbi.FstFlags, symlinkFollow: Bool) throws {
        watch.change()
        try inner.setFilestatTimes(path: path, atim: atim, mtim: mtim, fstFlags: fstFlags, symlinkFollow: symlinkFollow)
    }
    func setTimes(atim: WASIAbi.Timestamp, mtim: WASIAbi.Timestamp, fstFlags: WASIAbi.FstFlags) throws {
        watch.change()
        try inner.setTimes(atim: atim, mtim: mtim, fstFlags: fstFlags)
    }
    func close() throws {
        watch.change()
        try inner.close()
    }
}
