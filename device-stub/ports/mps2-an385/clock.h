/* SPDX-License-Identifier: Apache-2.0 */
/* clock.h - millisecond clock from SysTick (ARMv7-M ARM B3.3). */
#ifndef FWSEAL_MPS2_CLOCK_H
#define FWSEAL_MPS2_CLOCK_H

#include <stdint.h>

void clock_init(void);
/* Milliseconds since clock_init(), wrapping after 49 days. */
uint32_t clock_ms(void);
/* SysTick counts since clock_init() at BOARD_SYSCLK_HZ (for benchmarks). */
uint64_t clock_ticks(void);
void clock_tick_isr(void);

#endif /* FWSEAL_MPS2_CLOCK_H */
