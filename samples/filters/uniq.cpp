// uniq: writes standard input with each run of adjacent equal lines reduced to one line
// (a last line without a newline gets one).
//
//   uniq [-cdu]    options also come from $UNIQ_OPTS
//     -c  prefix each line with its run's length, as "%7d "
//     -d  only lines that were repeated
//     -u  only lines that were not
//
// C++ with the standard library.
#include <cstdio>
#include <iostream>
#include <string>
#include <unistd.h>

#include "envargs.h"

namespace {

bool counts = false, only_repeated = false, only_single = false;

void emit(const std::string &line, long run) {
    if ((only_repeated && run < 2) || (only_single && run > 1))
        return;
    if (counts) {
        char prefix[32];
        std::snprintf(prefix, sizeof prefix, "%7ld ", run);
        std::cout << prefix;
    }
    std::cout << line << '\n';
}

} // namespace

int main(int argc, char **argv) {
    argv = env_args("UNIQ_OPTS", &argc, argv);
    int opt;
    while ((opt = getopt(argc, argv, "cdu")) != -1) {
        switch (opt) {
        case 'c': counts = true; break;
        case 'd': only_repeated = true; break;
        case 'u': only_single = true; break;
        default:
            std::cerr << "usage: uniq [-cdu]\n";
            return 2;
        }
    }

    std::ios::sync_with_stdio(false);
    std::string previous, line;
    long run = 0;
    while (std::getline(std::cin, line)) {
        if (run > 0 && line == previous) {
            run++;
            continue;
        }
        if (run > 0)
            emit(previous, run);
        previous.swap(line);
        run = 1;
    }
    if (run > 0)
        emit(previous, run);
    std::cout.flush();
    return std::cout ? 0 : 1;
}
