// Moved to tests/support (the arbor_test_support library): Control is
// tests/support/control.h, the /proc readers tests/support/proc.h. Kept so that code
// written against the old path still compiles. New code includes the support headers.
#pragma once

#include "tests/support/control.h"
#include "tests/support/proc.h"
