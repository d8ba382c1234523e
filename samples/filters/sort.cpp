// sort: sorts the lines of standard input in byte order and writes them out, each ending
// in a newline (a last line without one gets one).
//
//   sort [-nru]    options also come from $SORT_OPTS
//     -n  by the number at the start of each line (blanks, an optional '-', digits, an
//         optional fraction; none counts as 0); equal numbers fall back to byte order
//     -r  reverse the order
//     -u  keep only the first of each run of equal lines (equal numbers with -n)
//
// C++ with the standard library: std::string compares bytes as unsigned char, which is
// byte order (LC_ALL=C sort).
#include <algorithm>
#include <cctype>
#include <iostream>
#include <string>
#include <vector>
#include <unistd.h>

#include "envargs.h"

namespace {

bool numeric = false, reverse = false, unique = false;

// The value of the number that starts the line, as sort -n reads it.
double leading_number(const std::string &s) {
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
        i++;
    bool negative = i < s.size() && s[i] == '-';
    if (negative)
        i++;
    double value = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
        value = value * 10 + (s[i++] - '0');
    if (i < s.size() && s[i] == '.') {
        double scale = 0.1;
        for (i++; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); i++) {
            value += (s[i] - '0') * scale;
            scale /= 10;
        }
    }
    return negative ? -value : value;
}

// <0, 0 or >0 as a sorts before, with or after b by the key alone.
int compare_keys(const std::string &a, const std::string &b) {
    if (!numeric)
        return a.compare(b);
    double x = leading_number(a), y = leading_number(b);
    return x < y ? -1 : x > y ? 1 : 0;
}

bool before(const std::string &a, const std::string &b) {
    int c = compare_keys(a, b);
    if (c == 0 && !unique)
        c = a.compare(b);  // last resort: the whole line, byte by byte
    return reverse ? c > 0 : c < 0;
}

} // namespace

int main(int argc, char **argv) {
    argv = env_args("SORT_OPTS", &argc, argv);
    int opt;
    while ((opt = getopt(argc, argv, "nru")) != -1) {
        switch (opt) {
        case 'n': numeric = true; break;
        case 'r': reverse = true; break;
        case 'u': unique = true; break;
        default:
            std::cerr << "usage: sort [-nru]\n";
            return 2;
        }
    }

    std::ios::sync_with_stdio(false);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(std::cin, line))
        lines.push_back(line);

    std::stable_sort(lines.begin(), lines.end(), before);
    if (unique) {
        auto same = [](const std::string &a, const std::string &b) { return compare_keys(a, b) == 0; };
        lines.erase(std::unique(lines.begin(), lines.end(), same), lines.end());
    }
    for (const std::string &l : lines)
        std::cout << l << '\n';
    std::cout.flush();
    return std::cout ? 0 : 1;
}
