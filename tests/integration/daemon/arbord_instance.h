// Moved to tests/support (the arbor_test_support library); kept so that code written
// against the old path still compiles. New code includes the support header.
#pragma once

#include "tests/support/arbord_instance.h"
