#include "unit.h"
int main(void) { CHECK(0); return unit_done("intake"); }
