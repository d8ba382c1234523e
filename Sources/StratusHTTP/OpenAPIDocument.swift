/// The admin API's OpenAPI document, served at `/_stratus/openapi.yaml`. Kept in the binary so
/// the server needs no files beside it.
enum OpenAPIDocument {
    static let yaml = """
    openapi: 3.0.3
    info:
      title: Stratus admin API
      version: "1"
      description: |
        Deploys, lists, deletes and invokes apps. Every endpoint except /_stratus/health and
        /_stratus/openapi.yaml needs `Authorization: Bearer TOKEN`. Errors are JSON:
        {"error": {"code": "...", "message": "..."}}.
    servers:
      - url: http://127.0.0.1:8080
    components:
      securitySchemes:
        bearer:
          type: http
          scheme: bearer
      schemas:
        Error:
          type: object
          required: [error]
          properties:
            error:
              type: object
              required: [code, message]
              properties:
                code: {type: string}
                message: {type: string}
        DeployRequest:
          type: object
          required: [manifest, files]
          properties:
            manifest:
              type: string
              minLength: 1
              description: the text of stratus.yaml
            files:
              type: object
              description: path in the app folder -> base64 contents
              additionalProperties: {type: string, format: byte}
        App:
          type: object
          required: [app, version, deployed_at, functions]
          properties:
            app: {type: string}
            version: {type: integer}
            deployed_at: {type: string, format: date-time}
            functions:
              type: array
              items:
                type: object
                required: [name, module, sha256, entry, engine, routes]
                properties:
                  name: {type: string}
                  module: {type: string}
                  sha256: {type: string}
                  entry: {type: string}
                  engine: {type: string, enum: [wasmtime, wasmkit], description: "the engine that runs it on this server"}
                  routes: {type: array, items: {type: string}}
            sequences:
              type: array
              items:
                type: object
                required: [name, steps, routes]
                properties:
                  name: {type: string}
                  steps: {type: array, items: {type: string}}
                  routes: {type: array, items: {type: string}}
            plans:
              type: array
              items:
                type: object
                required: [name, map, reduce, split, routes]
                properties:
                  name: {type: string}
                  map: {type: string}
                  reduce: {type: string}
                  split: {type: string, description: "lines N, bytes N or function NAME"}
                  parallelism: {type: integer}
                  routes: {type: array, items: {type: string}}
      responses:
        Error:
          description: an error
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
    security:
      - bearer: []
    paths:
      /_stratus/health:
        get:
          summary: health check
          security: []
          responses:
            "200":
              description: the server is up and its store usable
              content:
                application/json:
                  schema: {type: object, properties: {status: {type: string}}}
            "503":
              description: "the server runs but cannot serve: its store is unavailable (`store_unavailable`: the database file deleted or replaced)"
              content:
                application/json:
                  schema: {type: object, properties: {status: {type: string}, error: {type: object, properties: {code: {type: string}, message: {type: string}}}}}
      /_stratus/openapi.yaml:
        get:
          summary: this document
          security: []
          responses:
            "200":
              description: the OpenAPI document
              content:
                application/yaml:
                  schema: {type: string}
      /_stratus/apps:
        get:
          summary: list the deployed apps
          responses:
            "200":
              description: the apps, by name
              content:
                application/json:
                  schema:
                    type: object
                    required: [apps]
                    properties:
                      apps: {type: array, items: {$ref: "#/components/schemas/App"}}
            "401": {$ref: "#/components/responses/Error"}
        post:
          summary: deploy an app (replaces its previous version atomically)
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: "#/components/schemas/DeployRequest"}
          responses:
            "201":
              description: deployed
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/App"}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "409": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
      /_stratus/apps/{app}:
        parameters:
          - {name: app, in: path, required: true, schema: {type: string}, description: "1 to 63 of a-z, 0-9 and -"}
        get:
          summary: one app
          responses:
            "200":
              description: the app
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/App"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
        delete:
          summary: remove an app, its routes and its unused modules
          responses:
            "204": {description: deleted}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /_stratus/apps/{app}/kv:
        parameters:
          - {name: app, in: path, required: true, schema: {type: string}, description: "1 to 63 of a-z, 0-9 and -"}
          - {name: prefix, in: query, schema: {type: string}, description: only keys starting with this}
          - {name: after, in: query, schema: {type: string}, description: the `next` of the previous page}
          - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 10000, default: 100}}
        get:
          summary: list an app's keys in byte order, with their values
          responses:
            "200":
              description: a page of keys
              content:
                application/json:
                  schema:
                    type: object
                    required: [items]
                    properties:
                      items:
                        type: array
                        items:
                          type: object
                          required: [key, size, value_base64]
                          properties:
                            key: {type: string}
                            size: {type: integer}
                            value: {type: string, description: the value when it is UTF-8 text}
                            value_base64: {type: string, format: byte}
                      next: {type: string, description: present when more keys may follow}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /_stratus/apps/{app}/kv/{key}:
        parameters:
          - {name: app, in: path, required: true, schema: {type: string}, description: "1 to 63 of a-z, 0-9 and -"}
          - {name: key, in: path, required: true, schema: {type: string}, description: "1 to 512 bytes; may contain /"}
        get:
          summary: read a key's value
          responses:
            "200":
              description: the value
              content:
                application/octet-stream:
                  schema: {type: string, format: binary}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
        put:
          summary: write a key (the body is the value, up to 1 MiB; an empty body is an empty value)
          requestBody:
            content:
              application/octet-stream:
                schema: {type: string, format: binary}
          responses:
            "204": {description: written}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
        delete:
          summary: delete a key
          responses:
            "204": {description: deleted}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /_stratus/apps/{app}/functions/{function}/spawn:
        parameters:
          - {name: app, in: path, required: true, schema: {type: string}, description: "1 to 63 of a-z, 0-9 and -"}
          - {name: function, in: path, required: true, schema: {type: string}, description: "1 to 63 of A-Z, a-z, 0-9, _ and -"}
        post:
          summary: queue a durable asynchronous invocation (run at least once); ctx("trigger") is `async`
          requestBody:
            content:
              application/octet-stream:
                schema: {type: string, format: binary}
          responses:
            "202":
              description: queued
              content:
                application/json:
                  schema: {type: object, required: [event], properties: {event: {type: integer}}}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
      /_stratus/dead-letters:
        get:
          summary: events whose function failed every attempt
          parameters:
            - {name: app, in: query, schema: {type: string}}
          responses:
            "200":
              description: the dead letters, oldest first
              content:
                application/json:
                  schema:
                    type: object
                    required: [dead_letters]
                    properties:
                      dead_letters:
                        type: array
                        items:
                          type: object
                          required: [id, app, function, trigger, attempts, created_at]
                          properties:
                            id: {type: integer}
                            app: {type: string}
                            function: {type: string}
                            trigger: {type: string}
                            key: {type: string}
                            op: {type: string}
                            attempts: {type: integer}
                            error: {type: string}
                            created_at: {type: string, format: date-time}
            "401": {$ref: "#/components/responses/Error"}
      /_stratus/dead-letters/{id}/replay:
        parameters:
          - {name: id, in: path, required: true, schema: {type: integer, format: int64}}
        post:
          summary: queue a dead letter again with fresh attempts
          responses:
            "202": {description: queued again}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /_stratus/nodes:
        get:
          summary: the live nodes of the cluster with their heartbeats, tags and load (one node without a shared store)
          responses:
            "200":
              description: the live nodes by name
              content:
                application/json:
                  schema:
                    type: object
                    required: [nodes]
                    properties:
                      nodes:
                        type: array
                        items:
                          type: object
                          required: [name, address, tags, weight, load, started_at, heartbeat_at, this]
                          properties:
                            name: {type: string}
                            address: {type: string}
                            tags: {type: array, items: {type: string}}
                            weight: {type: number}
                            load: {type: integer}
                            started_at: {type: string, format: date-time}
                            heartbeat_at: {type: string, format: date-time}
                            this: {type: boolean, description: the node that answered}
            "401": {$ref: "#/components/responses/Error"}
            "503": {$ref: "#/components/responses/Error"}
      /_stratus/internal/invoke:
        post:
          summary: an invocation another node of the cluster forwards to this one; for nodes, not people
          description: |
            A function whose `affinity` the receiving node does not serve is forwarded here, on
            the node placement chose. Authenticated with the cluster's secret, which the nodes
            keep in their shared store, not with the admin token. The body and the answer are
            frames: a little-endian u32 length, that much JSON metadata, then the raw input or
            output. A node without a shared store refuses every call.
          security: []
          requestBody:
            content:
              application/octet-stream:
                schema: {type: string, format: binary}
          responses:
            "200":
              description: the invocation's answer frame, whatever its outcome
              content:
                application/octet-stream:
                  schema: {type: string, format: binary}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
      /_stratus/internal/ws:
        post:
          summary: a ws_send or ws_close for a WebSocket connection this node holds, from another node of the cluster; for nodes, not people
          description: |
            Authenticated with the cluster's secret like /_stratus/internal/invoke. The body is a
            frame: a little-endian u32 length, that much JSON metadata (app, connection, close),
            then the message.
          security: []
          requestBody:
            content:
              application/octet-stream:
                schema: {type: string, format: binary}
          responses:
            "200": {description: queued for the connection}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
      /_stratus/ui:
        get:
          summary: the management web page (it signs in with the admin token itself)
          security: []
          responses:
            "200":
              description: the page
              content:
                text/html:
                  schema: {type: string}
      /_stratus/logs:
        get:
          summary: recent invocations with their log lines and standard error, oldest first
          description: |
            The server keeps the last 1,000 invocations of each app in memory. Without `after`,
            the newest `limit`; with `after`, the oldest `limit` after that record, and with
            `wait` the answer is held until one arrives or `wait` seconds pass.
          parameters:
            - {name: app, in: query, schema: {type: string}}
            - {name: function, in: query, schema: {type: string}}
            - {name: after, in: query, schema: {type: integer, minimum: 0}}
            - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
            - {name: wait, in: query, schema: {type: integer, minimum: 0, maximum: 60}}
          responses:
            "200":
              description: the invocations, and the newest record's number
              content:
                application/json:
                  schema:
                    type: object
                    required: [invocations, latest]
                    properties:
                      latest: {type: integer}
                      invocations:
                        type: array
                        items:
                          type: object
                          required: [seq, id, app, function, trigger, start, duration_ms, outcome, lines]
                          properties:
                            seq: {type: integer}
                            id: {type: string}
                            app: {type: string}
                            function: {type: string}
                            trigger: {type: string}
                            start: {type: string, format: date-time}
                            duration_ms: {type: number}
                            outcome: {type: string, description: "ok, or the error's code"}
                            status: {type: integer}
                            error: {type: string}
                            lines:
                              type: array
                              items:
                                type: object
                                required: [level, source, message]
                                properties:
                                  level: {type: string}
                                  source: {type: string, description: "log or stderr"}
                                  message: {type: string}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
      /_stratus/backup:
        get:
          summary: a consistent snapshot of everything (apps, modules, keys, schedules, pending events) as a .tar.gz
          description: Taken from one moment of the store while requests go on; `stratus backup FILE` saves it.
          responses:
            "200":
              description: the archive
              content:
                application/gzip:
                  schema: {type: string, format: binary}
            "401": {$ref: "#/components/responses/Error"}
      /_stratus/restore:
        post:
          summary: bring a server with an empty store back to the state of a backup
          description: |
            The archive is checked in full (format, checksums, records) before anything is
            written, then written in one transaction; a damaged archive (400 bad_backup) or a
            store that holds anything (409 store_not_empty) leaves the server as it was.
          requestBody:
            required: true
            description: the archive, as `stratus backup` saves it (sent as application/gzip; any content type is taken)
            content:
              "*/*":
                schema: {type: string, format: binary}
          responses:
            "200":
              description: what was restored
              content:
                application/json:
                  schema:
                    type: object
                    required: [restored]
                    properties:
                      restored:
                        type: object
                        required: [apps, modules, keys, events, schedules]
                        properties:
                          apps: {type: integer}
                          modules: {type: integer}
                          keys: {type: integer}
                          events: {type: integer}
                          schedules: {type: integer}
            "400": {$ref: "#/components/responses/Error"}
            "401": {$ref: "#/components/responses/Error"}
            "409": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
      /_stratus/apps/{app}/functions/{function}/invoke:
        parameters:
          - {name: app, in: path, required: true, schema: {type: string}, description: "1 to 63 of a-z, 0-9 and -"}
          - {name: function, in: path, required: true, schema: {type: string}, description: "1 to 63 of A-Z, a-z, 0-9, _ and -"}
        post:
          summary: run a function with the request body as its input
          description: The response is the function's own status, headers and body; ctx("trigger") is `call`.
          requestBody:
            description: any bytes, whatever their content type
            content:
              "*/*":
                schema: {type: string, format: binary}
          responses:
            default:
              description: the function's response
              content:
                "*/*":
                  schema: {type: string, format: binary}
            "401": {$ref: "#/components/responses/Error"}
            "404": {$ref: "#/components/responses/Error"}
            "413": {$ref: "#/components/responses/Error"}
            "500": {$ref: "#/components/responses/Error"}
            "504": {$ref: "#/components/responses/Error"}
    """
}
