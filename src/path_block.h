/*
 * path_block.h
 *	  Template of geodesy.c's path_block (local_distance of up to PATH_BLOCK
 *	  legs), included once per vector width, as PostgreSQL's sort_template.h
 *	  is per element type.  The includer defines:
 *
 *	  PB_NAME	the function's name
 *	  PB_VEC	the vector type (GCC vector extension) of PB_LANES doubles
 *	  PB_LANES	doubles per vector
 *	  PB_SQRT	element-wise square root of a PB_VEC
 *	  PB_ATTR	attributes (the target ISA) or nothing
 *
 * and all are undefined at the end.  No PostgreSQL headers.
 */

/*
 * local_distance of up to PATH_BLOCK legs from p, as structure of arrays: a
 * scalar pass finds each leg's table entry and remainder, then an
 * element-wise pass does the rest with the same IEEE operations in the same
 * order, so every length is local_distance's to the bit whatever the width
 * (tests/unit checks each width the CPU has).  Stops before the first leg
 * local_distance would send elsewhere (a pole, a wide longitude
 * difference); returns how many legs it measured.
 */
PB_ATTR static size_t
PB_NAME(const TAMetric *mt, const double *p, size_t stride, size_t n,
		double *out)
{
#define PB_NV (PATH_BLOCK / PB_LANES)
	PB_VEC		dlon[PB_NV],
				dlat[PB_NV],
				rem[PB_NV],
				t0[PB_NV],
				t1[PB_NV];
	const PB_VEC one = (PB_VEC) {0} + 1.0;
	size_t		m = n - 1 < PATH_BLOCK ? n - 1 : PATH_BLOCK,
				i;

	for (i = 0; i < m; i++)
	{
		const double *q = p + i * stride;
		double		dl = q[stride] - q[0];
		double		d;
		const double *t = sc_entry((q[1] + q[stride + 1]) * (0.5 * DEG2RAD), &d);

		if (!(fabs(dl) <= TA_LOCAL_MAX_DLON) || t == NULL)
			break;
		dlon[i / PB_LANES][i % PB_LANES] = dl;
		dlat[i / PB_LANES][i % PB_LANES] = q[stride + 1] - q[1];
		rem[i / PB_LANES][i % PB_LANES] = d;
		t0[i / PB_LANES][i % PB_LANES] = t[0];
		t1[i / PB_LANES][i % PB_LANES] = t[1];
	}
	m = i;
	/* harmless copies of the last leg fill the last vector */
	for (i = m; i % PB_LANES; i++)
	{
		size_t		l = m - 1;

		dlon[i / PB_LANES][i % PB_LANES] = dlon[l / PB_LANES][l % PB_LANES];
		dlat[i / PB_LANES][i % PB_LANES] = dlat[l / PB_LANES][l % PB_LANES];
		rem[i / PB_LANES][i % PB_LANES] = rem[l / PB_LANES][l % PB_LANES];
		t0[i / PB_LANES][i % PB_LANES] = t0[l / PB_LANES][l % PB_LANES];
		t1[i / PB_LANES][i % PB_LANES] = t1[l / PB_LANES][l % PB_LANES];
	}
	for (i = 0; i < (m + PB_LANES - 1) / PB_LANES; i++)
	{
		PB_VEC		d = rem[i],
					d2 = d * d,
					sd = d * (one - d2 * (1.0 / 6.0) * (one - d2 * (1.0 / 20.0))),
					cd = one - d2 * 0.5 * (one - d2 * (1.0 / 12.0)),
					s = t0[i] * cd + t1[i] * sd,
					c = t1[i] * cd - t0[i] * sd,
					w = one - mt->e2 * s * s,
					r = one / PB_SQRT(w),
					N = mt->a * r,
					M = N * (1.0 - mt->e2) * (r * r),
					dn = dlat[i] * DEG2RAD * M,
					de = dlon[i] * DEG2RAD * N * c,
					dt = dlon[i] * DEG2RAD * N * s;

		rem[i] = PB_SQRT(dn * dn + de * de -
						 (dn * dn * (de * de + 3.0 * dt * dt) + dt * dt * de * de) *
						 (w * w * mt->k12));
	}
	for (i = 0; i < m; i++)
		out[i] = rem[i / PB_LANES][i % PB_LANES];
	return m;
#undef PB_NV
}

#undef PB_NAME
#undef PB_VEC
#undef PB_LANES
#undef PB_SQRT
#undef PB_ATTR
