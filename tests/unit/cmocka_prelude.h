/* The headers cmocka needs before its own, in one place. */
#ifndef TXSTORM_TEST_PRELUDE_H
#define TXSTORM_TEST_PRELUDE_H
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on
#endif
