#!/usr/bin/env python3
"""Writes README.md's C++ snippets into one translation unit, so a compile test keeps the README
honest. Snippets that are whole declarations go at namespace scope; statement snippets go into a
function body where `spec` exists. Usage: readme_snippets.py README.md OUT.cpp"""
import re
import sys

readme, out = sys.argv[1], sys.argv[2]
blocks = re.findall(r"```cpp\n(.*?)```", open(readme, encoding="utf-8").read(), re.S)
parts = ["#include <iostream>\n#include <boost/asio.hpp>\n#include <mlcloud/blocking.hpp>\n"]
for i, block in enumerate(blocks):
    if re.search(r"^\s*(asio::awaitable|#include|namespace|struct|class|template)", block, re.M):
        parts.append(f"// README snippet {i + 1}\n{block}\n")
    else:
        parts.append(f"// README snippet {i + 1}\n[[maybe_unused]] void readme_snippet_{i + 1}()\n{{\n"
                     f"    mlcloud::job_spec spec;\n{block}}}\n")
open(out, "w", encoding="utf-8").write("\n".join(parts))
