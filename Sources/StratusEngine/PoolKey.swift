/// Whose instances a pool holds: a function of an app (its limits and name are its own) and
/// the compiled module they are made from. Its hash is computed once, when it is made: the
/// platform makes each function's key at deploy, and hashing the three names on every check-out
/// and check-in cost more than the rest of the pool's work.
public struct PoolKey: Hashable, Sendable {
    let app: String
    let function: String
    let module: String
    private let hash: Int

    public init(app: String, function: String, module: String) {
        (self.app, self.function, self.module) = (app, function, module)
        var hasher = Hasher()
        hasher.combine(app)
        hasher.combine(function)
        hasher.combine(module)
        hash = hasher.finalize()
    }

    public static func == (a: PoolKey, b: PoolKey) -> Bool {
        a.hash == b.hash && a.app == b.app && a.function == b.function && a.module == b.module
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }
}
