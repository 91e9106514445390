/*
 * fixpack.h
 *	  Sorted runs of fixes packed for the trip from a parallel worker to the
 *	  leader, and unpacked there.  No PostgreSQL headers.
 */
#ifndef TA_FIXPACK_H
#define TA_FIXPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gser.h"

/* bytes before the first fix's differences: three widths and the first fix */
#define TA_PACK_HEAD	(3 + 3 * 8)

/* in the third width byte: m's differences are whole seconds, not bits */
#define TA_PACK_SECS	0x10

/*
 * How a run is packed: bytes per difference of x, y and m (1 to 8 each),
 * and whether m's differences are in whole seconds rather than bits.
 */
typedef struct TAPacking
{
	uint8_t		w[3];
	bool		secs;
} TAPacking;

/* chooses the widths for fix[0..n) and returns the packed size in bytes */
extern size_t ta_pack_plan(const TAFix *fix, size_t n, TAPacking *pk);

/* writes fix[0..n) packed as planned: ta_pack_plan's bytes at out */
extern void ta_pack(const TAFix *fix, size_t n, const TAPacking *pk, uint8_t *out);

/* whether bytes of data are a packed run of n fixes (the widths and size agree) */
extern bool ta_unpack_valid(const uint8_t *data, size_t bytes, size_t n);

/* the n fixes of a run that ta_unpack_valid accepted, into out */
extern void ta_unpack(const uint8_t *data, size_t bytes, size_t n, TAFix *out);

#endif							/* TA_FIXPACK_H */
