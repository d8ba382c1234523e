@_spi(WASIPlatform) import WASI

/// The files of an app that its WASI guests read at `/app`, read-only: one in-memory tree per
/// app version, built at deploy and shared by every instance and thread (its nodes lock
/// themselves; nothing writes to it after it is built).
public final class AppFiles: Sendable {
    /// Where guests see the files.
    public static let mountPoint = "/app"
    let fileSystem: MemoryFileSystem
    /// The tree's root, as a directory entry to open paths from.
    let root: any WASIDir
    public let count: Int

    /// `files`: path below the folder (`/`-separated, no leading `/`) → contents.
    public init(_ files: [String: [UInt8]]) throws {
        fileSystem = try MemoryFileSystem()
        for (path, bytes) in files {
            try fileSystem.addFile(at: Self.mountPoint + "/" + path, content: bytes)
        }
        root = try fileSystem.preopenDirectory(guestPath: Self.mountPoint, hostPath: Self.mountPoint)
        count = files.count
    }

    /// An app without a `files:` folder sees an empty `/app`.
    static let empty = try! AppFiles([:])
}

/// `/app` or a folder below it: reads go to the app's tree, anything that would change it is
/// EROFS. The mount point follows the invocation (instances serve any app that shares their
/// module); a folder the guest opened stays the one it opened.
final class ReadOnlyDirectory: WASIDir, @unchecked Sendable {
    private let fixed: (any WASIDir)?
    private let context: GuestContext
    private let watch: FileTableWatch

    init(fixed: (any WASIDir)?, context: GuestContext, watch: FileTableWatch) {
        self.fixed = fixed
        self.context = context
        self.watch = watch
    }

    var inner: any WASIDir { fixed ?? (context.invocation.files ?? AppFiles.empty).root }
    var fileSystem: MemoryFileSystem { (context.invocation.files ?? AppFiles.empty).fileSystem }

    var preopenPath: String? { fixed == nil ? AppFiles.mountPoint : nil }
    func readlink(atPath path: String) throws -> [UInt8] { try inner.readlink(atPath: path) }
    func readEntries(cookie: WASIAbi.DirCookie) throws -> WASIReaddirEntries { try inner.readEntries(cookie: cookie) }
    func attributes(path: String, symlinkFollow: Bool) throws -> WASIAbi.Filestat {
        try inner.attributes(path: path, symlinkFollow: symlinkFollow)
    }
    func attributes() throws -> WASIAbi.Filestat { try inner.attributes() }
    func fileType() throws -> WASIAbi.FileType { .DIRECTORY }
    func status() throws -> WASIAbi.Fdflags { [] }
    func advise(offset: WASIAbi.FileSize, length: WASIAbi.FileSize, advice: WASIAbi.Advice) throws {}
    func createDirectory(atPath path: String) throws { throw WASIAbi.Errno.EROFS }
    func removeDirectory(atPath path: String) throws { throw WASIAbi.Errno.EROFS }
    func removeFile(atPath path: String) throws { throw WASIAbi.Errno.EROFS }
    func symlink(from sourcePath: String, to destPath: String) throws { throw WASIAbi.Errno.EROFS }
    func rename(from sourcePath: String, toDir newDir: any WASIDir, to destPath: String) throws { throw WASIAbi.Errno.EROFS }
    func setFilestatTimes(path: String, atim: WASIAbi.Timestamp, mtim: WASIAbi.Timestamp,
                          fstFlags: WASIAbi.FstFlags, symlinkFollow: Bool) throws { throw WASIAbi.Errno.EROFS }
    func setTimes(atim: WASIAbi.Timestamp, mtim: WASIAbi.Timestamp, fstFlags: WASIAbi.FstFlags) throws { throw WASIAbi.Errno.EROFS }

    func close() throws {
        // Closing the mount point changes the table a pooled instance must keep.
        if fixed == nil { watch.change() } else { watch.closed(.opened) }
    }

    /// Opens `path` below this folder for reading; a request to create, truncate or write is EROFS.
    func open(_ path: String, oflags: WASIAbi.Oflags, fsRightsBase: WASIAbi.Rights, fsRightsInheriting: WASIAbi.Rights,
              fdflags: WASIAbi.Fdflags, symlinkFollow: Bool) throws -> FdEntry {
        guard oflags.isDisjoint(with: [.CREAT, .TRUNC, .EXCL]), !fsRightsBase.contains(.FD_WRITE),
              fdflags.isDisjoint(with: [.APPEND]) else {
            throw WASIAbi.Errno.EROFS
        }
        let entry = try fileSystem.openAt(dirFd: inner, path: path, oflags: oflags, fsRightsBase: fsRightsBase,
                                          fsRightsInheriting: fsRightsInheriting, fdflags: fdflags, symlinkFollow: symlinkFollow)
        watch.opened()
        switch entry {
        case .file(let file): return .file(ReadOnlyFile(file, watch: watch))
        case .directory(let directory): return .directory(ReadOnlyDirectory(fixed: directory, context: context, watch: watch))
        }
    }
}

/// A file of `/app` as the guest opened it: reads and seeks pass through, writes are EBADF.
final class ReadOnlyFile: WASIFile, @unchecked Sendable {
    private let inner: any WASIFile
    private let watch: FileTableWatch

    init(_ inner: any WASIFile, watch: FileTableWatch) {
        self.inner = inner
        self.watch = watch
    }

    func attributes() throws -> WASIAbi.Filestat { try inner.attributes() }
    func fileType() throws -> WASIAbi.FileType { try inner.fileType() }
    func status() throws -> WASIAbi.Fdflags { try inner.status() }
    func setTimes(atim: WASIAbi.Timestamp, mtim: WASIAbi.Timestamp, fstFlags: WASIAbi.FstFlags) throws { throw WASIAbi.Errno.EROFS }
    func advise(offset: WASIAbi.FileSize, length: WASIAbi.FileSize, advice: WASIAbi.Advice) throws {}
    func close() throws { watch.closed(.opened) }
    func fdStat() throws -> WASIAbi.FdStat { try inner.fdStat() }
    func setFdStatFlags(_ flags: WASIAbi.Fdflags) throws { throw WASIAbi.Errno.EROFS }
    func setFilestatSize(_ size: WASIAbi.FileSize) throws { throw WASIAbi.Errno.EROFS }
    func sync() throws {}
    func datasync() throws {}
    func tell() throws -> WASIAbi.FileSize { try inner.tell() }
    func seek(offset: WASIAbi.FileDelta, whence: WASIAbi.Whence) throws -> WASIAbi.FileSize { try inner.seek(offset: offset, whence: whence) }
    func write(vectored buffers: GuestBuffers) throws -> WASIAbi.Size { throw WASIAbi.Errno.EBADF }
    func pwrite(vectored buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size { throw WASIAbi.Errno.EBADF }
    func read(into buffers: GuestBuffers) throws -> WASIAbi.Size { try inner.read(into: buffers) }
    func pread(into buffers: GuestBuffers, offset: WASIAbi.FileSize) throws -> WASIAbi.Size { try inner.pread(into: buffers, offset: offset) }
}
