/* Defines std::ios_base_library_init() for libstdc++ older than GCC 13.
 * GCC 13's <iostream> references this symbol only to pin the library version (GLIBCXX_3.4.32);
 * older libstdc++ initialises the standard streams itself, so an empty body is correct. */
void _ZSt21ios_base_library_initv(void) {}
