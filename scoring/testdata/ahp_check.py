# Independent check of the AHP examples in ahp_test.go: power iteration in pure Python
# (no numpy). Run: python3 scoring/testdata/ahp_check.py
from fractions import Fraction as F
def eig(A, it=2000):
    n=len(A); w=[1.0/n]*n
    for _ in range(it):
        v=[sum(A[i][j]*w[j] for j in range(n)) for i in range(n)]
        s=sum(v); w=[x/s for x in v]
    Aw=[sum(A[i][j]*w[j] for j in range(n)) for i in range(n)]
    lam=sum(Aw[i]/w[i] for i in range(n))/n
    return w, lam
RI=[0,0,0.58,0.90,1.12,1.24,1.32,1.41,1.45,1.49]
def show(name, rows):
    A=[[float(F(x)) for x in r.split()] for r in rows]
    n=len(A); w,lam=eig(A); ci=(lam-n)/(n-1); cr=ci/RI[n-1] if n>2 else 0
    print(name, ["%.6f"%x for x in w], "lam=%.6f ci=%.6f cr=%.6f"%(lam,ci,cr))
show("light", ["1 5 6 7","1/5 1 4 6","1/6 1/4 1 4","1/7 1/6 1/4 1"])
show("wealth", ["1 4 9 6 6 5 5","1/4 1 7 5 5 3 4","1/9 1/7 1 1/5 1/5 1/7 1/5","1/6 1/5 5 1 1 1/3 1/3","1/6 1/5 5 1 1 1/3 1/3","1/5 1/3 7 3 3 1 2","1/5 1/4 5 3 3 1/2 1"])
show("leader", ["1 4 3 7","1/4 1 1/3 3","1/3 3 1 5","1/7 1/3 1/5 1"])
