# Independent check of the PCA numbers in pca_test.go, in pure Python (no numpy):
# Jacobi eigen-decomposition of the correlation matrix, Kaiser's closed-form two-factor varimax
# (Kaiser 1958, with row normalisation) and the Nicoletti/OECD-JRC weighting recipe.
# Run: python3 scoring/testdata/pca_check.py [--write]   (--write regenerates twofactor.csv)
import math, sys, csv

def read(path):
    rows = list(csv.reader(open(path)))
    return rows[0][1:], [[float(x) for x in r[1:]] for r in rows[1:]]

def corr(X):
    n, k = len(X), len(X[0])
    cols = [[r[j] for r in X] for j in range(k)]
    mu = [sum(c)/n for c in cols]
    sd = [math.sqrt(sum((x-m)**2 for x in c)/(n-1)) for c, m in zip(cols, mu)]
    return [[sum((cols[a][i]-mu[a])*(cols[b][i]-mu[b]) for i in range(n))/(n-1)/sd[a]/sd[b] for b in range(k)] for a in range(k)]

def jacobi(A):
    n = len(A); A = [r[:] for r in A]; V = [[float(i == j) for j in range(n)] for i in range(n)]
    for _ in range(100):
        off = sum(A[i][j]**2 for i in range(n) for j in range(n) if i != j)
        if off < 1e-30: break
        for p in range(n):
            for q in range(p+1, n):
                if abs(A[p][q]) < 1e-300: continue
                th = (A[q][q]-A[p][p])/(2*A[p][q])
                t = (1 if th >= 0 else -1)/(abs(th)+math.sqrt(th*th+1))
                c = 1/math.sqrt(t*t+1); s = t*c
                for k in range(n):
                    akp, akq = A[k][p], A[k][q]
                    A[k][p], A[k][q] = c*akp - s*akq, s*akp + c*akq
                for k in range(n):
                    apk, aqk = A[p][k], A[q][k]
                    A[p][k], A[q][k] = c*apk - s*aqk, s*apk + c*aqk
                for k in range(n):
                    vkp, vkq = V[k][p], V[k][q]
                    V[k][p], V[k][q] = c*vkp - s*vkq, s*vkp + c*vkq
    vals = [A[i][i] for i in range(n)]
    order = sorted(range(n), key=lambda i: -vals[i])
    vecs = []
    for i in order:
        v = [V[k][i] for k in range(n)]
        if sum(v) < 0: v = [-x for x in v]
        vecs.append(v)
    return [vals[i] for i in order], vecs

def varimax2(L):
    h = [math.hypot(x, y) for x, y in L]
    X = [(x/hh, y/hh) for (x, y), hh in zip(L, h)]
    p = len(X)
    u = [x*x - y*y for x, y in X]; v = [2*x*y for x, y in X]
    A, B = sum(u), sum(v)
    C = sum(a*a - b*b for a, b in zip(u, v)); D = 2*sum(a*b for a, b in zip(u, v))
    phi = math.atan2(D - 2*A*B/p, C - (A*A - B*B)/p)/4
    c, s = math.cos(phi), math.sin(phi)
    R = [((x*c + y*s)*hh, (-x*s + y*c)*hh) for (x, y), hh in zip(X, h)]
    cols = [[r[0] for r in R], [r[1] for r in R]]
    cols = [col if sum(col) >= 0 else [-x for x in col] for col in cols]
    return [list(r) for r in zip(*cols)]

def recipe(L):
    k, m = len(L), len(L[0])
    fv = [sum(L[i][j]**2 for i in range(k)) for j in range(m)]
    tot = sum(fv); w = []
    for i in range(k):
        q = [L[i][j]**2/fv[j] for j in range(m)]
        j = max(range(m), key=lambda j: q[j])
        w.append(q[j]*fv[j]/tot)
    s = sum(w)
    return [x/s for x in w], fv

if '--write' in sys.argv:
    # Two clusters of three indicators driven by latent factors f, g plus noise (LCG, seed 1).
    state = 1
    def rnd():
        global state
        state = (1103515245*state + 12345) % 2**31
        return state/2**31 - 0.5
    with open('twofactor.csv', 'w') as f:
        f.write('unit,a1,a2,a3,b1,b2,b3\n')
        for i in range(30):
            fa, gb = rnd(), rnd()
            vals = [fa + 0.3*rnd(), fa + 0.5*rnd(), 0.8*fa + 0.4*rnd() + 0.2*gb,
                    gb + 0.3*rnd(), gb + 0.4*rnd() + 0.1*fa, gb + 0.6*rnd()]
            f.write('u%02d,' % (i+1) + ','.join('%.4f' % x for x in vals) + '\n')

for path in ['usarrests.csv', 'twofactor.csv']:
    names, X = read(path)
    vals, vecs = jacobi(corr(X))
    kept = max(1, sum(1 for v in vals if v > 1))
    L = [[vecs[j][i]*math.sqrt(vals[j]) for j in range(kept)] for i in range(len(names))]
    if kept == 2: L = varimax2(L)
    w, fv = recipe(L)
    print(path, 'eigenvalues', ['%.6f' % v for v in vals])
    print('  PC1', ['%.6f' % x for x in vecs[0]])
    print('  loadings', [['%.6f' % x for x in r] for r in L])
    print('  factor variance', ['%.6f' % x for x in fv])
    print('  weights', ['%.6f' % x for x in w])
