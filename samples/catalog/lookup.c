/* A legacy program that reads its data files: a WASI command that knows nothing of Stratus.
 * It looks a country code up in data/countries.tsv, which the app ships in its `files:`
 * folder and the guest sees read-only at /app (build: scripts/build-samples.sh).
 *
 *   GET /catalog/FR      -> "FR\tFrance\tParis\n"  (404 "unknown code" when absent)
 *   GET /catalog/_list   -> the entries of /app and /app/more, one a line
 *   GET /catalog/_write  -> "refused: ..." : /app cannot be written
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int list(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) {
        printf("Status: 500\r\n\r\ncannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] != '.') printf("%s/%s\n", path, entry->d_name);
    }
    closedir(dir);
    return 0;
}

int main(void) {
    const char *code = getenv("PARAM_code");
    if (!code) code = "";
    if (strcmp(code, "_list") == 0) {
        printf("Content-Type: text/plain\r\n\r\n");
        return list("/app") || list("/app/more");
    }
    if (strcmp(code, "_write") == 0) {
        FILE *file = fopen("/app/countries.tsv", "a");
        printf("Content-Type: text/plain\r\n\r\n%s\n", file ? "written" : strerror(errno));
        if (file) fclose(file);
        return 0;
    }
    FILE *table = fopen("/app/countries.tsv", "r");
    if (!table) {
        printf("Status: 500\r\n\r\ncannot open /app/countries.tsv: %s\n", strerror(errno));
        return 0;
    }
    char line[512];
    size_t length = strlen(code);
    while (fgets(line, sizeof line, table)) {
        if (length > 0 && strncmp(line, code, length) == 0 && line[length] == '\t') {
            printf("Content-Type: text/plain\r\n\r\n%s", line);
            fclose(table);
            return 0;
        }
    }
    fclose(table);
    printf("Status: 404\r\nContent-Type: text/plain\r\n\r\nunknown code %s\n", code);
    return 0;
}
