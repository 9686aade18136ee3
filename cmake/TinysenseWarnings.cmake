# The warning set every tinysense target compiles with; warnings are errors.
set(TINYSENSE_WARNINGS -Wall -Wextra -Wconversion -Wshadow -Werror)
